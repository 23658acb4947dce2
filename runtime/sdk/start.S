# Entry of a bare program on the Cadre chip. Every tile starts here with
# a0 = tile id, a1 = number of tiles and sp = the top of its own stack (set by
# the simulator), so start only sets gp, calls main(tile, tiles) and exits
# with main's return value through ecall 93. .bss needs no clearing: the
# loader zeroes it (and tiles clearing it here would race each other).
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    call main
    li a7, 93
    ecall
