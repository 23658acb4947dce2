# Tile 0 recurses without end; tile 1 exits at once. Tile 0's stack grows
# down into tile 1's: the first store there is tile 0's stack overflow.
    .section .text.start, "ax"
    .globl _start
_start:
    bnez a0, done
    call recurse
done:
    li a0, 0
    li a7, 93
    ecall
recurse:
    addi sp, sp, -16
    sd ra, 8(sp)
    call recurse
