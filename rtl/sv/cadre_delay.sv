// A pipeline of D registers (D = 0: a wire), cleared by reset. Not in the
// waveform: its input and output are there, in the module that uses it.
/* verilator tracing_off */
module cadre_delay #(
    parameter int W = 1,
    parameter int D = 1
) (
    input  logic         clk,
    input  logic         rst,
    input  logic [W-1:0] in,
    output logic [W-1:0] out
);
  if (D == 0) begin : wire_through
    logic unused_clock;
    assign unused_clock = clk ^ rst;
    assign out = in;
  end else begin : registers
    for (genvar s = 0; s < D; s++) begin : stages
      logic [W-1:0] q;
      if (s == 0) begin : first
        always_ff @(posedge clk) q <= rst ? '0 : in;
      end else begin : next
        always_ff @(posedge clk) q <= rst ? '0 : registers.stages[s-1].q;
      end
    end
    assign out = registers.stages[D-1].q;
  end
endmodule
