# A load from address 0x10, outside every mapped region.
    .section .text.start, "ax"
    .globl _start
_start:
    li t0, 0x10
    ld a0, 0(t0)
