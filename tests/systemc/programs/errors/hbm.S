# Stores to HBM and reads back, then exits with the value read (7).
    .section .text.start, "ax"
    .globl _start
_start:
    li t0, 0x100000000
    li t1, 7
    sd t1, 64(t0)
    ld a0, 64(t0)
    li a7, 93
    ecall
