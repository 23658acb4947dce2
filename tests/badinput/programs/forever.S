# Loops forever: only --max-cycles ends it.
    .section .text.start, "ax"
    .globl _start
_start:
    j _start
