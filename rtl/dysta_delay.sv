// Delay line of N >= 1 register stages (Yosys maps long ones to shift-register LUTs on 7-series).
module dysta_delay #(
    parameter int W = 1,
    parameter int N = 1
) (
    input  logic         clk,
    input  logic [W-1:0] d,
    output logic [W-1:0] q
);
  logic [W-1:0] r[N];
  always_ff @(posedge clk) begin
    r[0] <= d;
    for (int i = 1; i < N; i++) r[i] <= r[i-1];
  end
  assign q = r[N-1];
endmodule
