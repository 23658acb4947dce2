# write(1, _start, 2^64 - 1): the length alone is beyond every memory.
    .section .text.start, "ax"
    .globl _start
_start:
    li a0, 1
    la a1, _start
    li a2, -1
    li a7, 64
    ecall
    li a7, 93
    ecall
