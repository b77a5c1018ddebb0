// Two's complement fixed point (W bits, F fraction bits) to float (E, M), nearest-even, pipelined
// (LAT 3: magnitude, normalisation, round and pack): the hardware twin of fp_from_fixed().
// With SIGNED = 0 the input is an unsigned integer count. Zero gives +0.
module dysta_fix2fp #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int W = 32,
    parameter int F = 18,
    parameter int SIGNED = 1
) (
    input  logic         clk,
    input  logic [W-1:0] x,
    output logic [E+M:0] y
);
  localparam int XW = E + 4;
  localparam logic signed [XW-1:0] UNIT = -XW'(F);
  logic neg1, neg2;
  logic [W-1:0] mag1;
  always_ff @(posedge clk) begin
    neg1 <= SIGNED != 0 && x[W-1];
    mag1 <= (SIGNED != 0 && x[W-1]) ? -x : x;  // -(-2^(W-1)) = 2^(W-1) as unsigned W bits
  end
  logic [M:0] kept, k2;
  logic guard, sticky, zero, g2, t2, z2;
  logic signed [XW-1:0] exp_pre, x2;
  dysta_fp_norm #(.E(E), .M(M), .IN_W(W), .XW(XW)) u_norm (
      .unit_exp(UNIT), .mag(mag1), .kept, .guard, .sticky, .exp_pre, .zero);
  always_ff @(posedge clk) begin
    k2 <= kept;
    g2 <= guard;
    t2 <= sticky;
    x2 <= exp_pre;
    z2 <= zero;
    neg2 <= neg1;
  end
  logic [E+M:0] packed_y;
  dysta_fp_pack #(.E(E), .M(M), .XW(XW)) u_pack (
      .sign(neg2), .kept(k2), .guard(g2), .sticky(t2), .exp_pre(x2), .zero(z2), .y(packed_y));
  always_ff @(posedge clk) y <= packed_y;
endmodule
