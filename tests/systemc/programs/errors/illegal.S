# An F-extension word: the core is RV64IM, so it is illegal.
    .section .text.start, "ax"
    .globl _start
_start:
    .4byte 0x00b50553
