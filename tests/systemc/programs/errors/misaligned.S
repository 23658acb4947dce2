# A 4-byte load from an odd address.
    .section .text.start, "ax"
    .globl _start
_start:
    li t0, 0x80000001
    lw a0, 0(t0)
