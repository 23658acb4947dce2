# Entry of the sample program: a stack, then main, then exit through ecall 93
# (the newlib convention the simulator follows, BRIEF.md section 10).
    .section .text.start
    .globl _start
_start:
    la sp, stack_top
    call main
    li a7, 93
    ecall
1:  j 1b

    .bss
    .balign 16
    .space 4096
stack_top:
