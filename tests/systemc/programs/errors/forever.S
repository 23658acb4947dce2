# A loop that never ends: stopped by --max-cycles.
    .section .text.start, "ax"
    .globl _start
_start:
1:  j 1b
