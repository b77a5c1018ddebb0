// Two's complement fixed point (W bits, F fraction bits) to float (E, M), nearest-even:
// the hardware twin of fp_from_fixed(). With SIGNED = 0 the input is an unsigned integer count.
module dysta_fix2fp #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int W = 32,
    parameter int F = 18,
    parameter int SIGNED = 1
) (
    input  logic [W-1:0] x,
    output logic [E+M:0] y
);
  localparam int XW = E + 4;
  localparam logic signed [XW-1:0] UNIT = -XW'(F);
  logic neg;
  logic [W-1:0] mag;
  assign neg = SIGNED != 0 && x[W-1];
  assign mag = neg ? -x : x;  // -(-2^(W-1)) = 2^(W-1) as an unsigned W-bit value
  dysta_fp_round #(.E(E), .M(M), .IN_W(W), .XW(XW)) u_round (
      .sign(neg), .unit_exp(UNIT), .mag(mag), .y(y));
endmodule
