# An ecall with a7 = 1000, which the environment does not define.
    .section .text.start, "ax"
    .globl _start
_start:
    li a7, 1000
    ecall
