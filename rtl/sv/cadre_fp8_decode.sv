// One FP8 magnitude taken apart as decompose_e4m3 / decompose_e5m2 do in the
// numerics library: value = sig * 2^exp, given here as sig and exp + 16.
/* verilator tracing_off */  // waveforms show the dataflow, not the arithmetic's inside
module cadre_fp8_decode (
    input  logic       e5m2,   // 1: E5M2, 0: E4M3FN
    input  logic [6:0] value,  // the code without its sign
    output logic       nan,
    output logic       inf,
    output logic [3:0] sig,    // E4M3: 0..15, E5M2: 0..7
    output logic [4:0] shift   // exp + 16; E4M3: 7..21, E5M2: 0..29
);
  /*verilator inline_module*/  // into its cell: see cadre_pe
  always_comb begin
    if (e5m2) begin
      // Normal (4 + m) * 2^(e - 17), subnormal m * 2^-16; e = 31 is inf or NaN.
      nan = value[6:2] == 5'd31 && value[1:0] != 0;
      inf = value[6:2] == 5'd31 && value[1:0] == 0;
      sig = {1'b0, value[6:2] != 0, value[1:0]};
      shift = value[6:2] == 0 ? 5'd0 : value[6:2] - 5'd1;
    end else begin
      // Normal (8 + m) * 2^(e - 10), subnormal m * 2^-9; S.1111.111 is NaN.
      nan = value == 7'h7F;
      inf = 1'b0;
      sig = {value[6:3] != 0, value[2:0]};
      shift = value[6:3] == 0 ? 5'd7 : {1'b0, value[6:3]} + 5'd6;
    end
  end
endmodule
