# cx.status a0, a1 (custom-3, funct3 3): needs the Xcadre command interface.
    .section .text.start, "ax"
    .globl _start
_start:
    .insn r 0x7B, 3, 0, a0, a1, x0
    li a7, 93
    ecall
