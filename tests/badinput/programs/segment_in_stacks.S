# A data segment placed in tile 0's stack region at the top of RAM (of the
# small architecture: 16 MiB of RAM, 256 KiB stacks): refused at load.
# ldflags: -Wl,--section-start=.stackdata=0x80ff0000
    .section .text.start, "ax"
    .globl _start
_start:
    li a0, 0
    li a7, 93
    ecall
    .section .stackdata, "aw"
    .dword 1, 2, 3, 4
