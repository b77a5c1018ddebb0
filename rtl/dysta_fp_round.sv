// Rounds (-1)^sign x mag x 2^unit_exp to the float format (E exponent, M fraction bits): nearest,
// ties to even, unbounded exponent, then flush-to-zero below the normal range and infinity above
// it. mag = 0 gives a zero of the given sign. Combinational. The twin of round_pack() in
// src/hardware/soft_float.cpp: every float result of the scheduler passes through it.
module dysta_fp_round #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int IN_W = 32,  // width of mag
    parameter int XW = 12     // width of the signed exponent arithmetic
) (
    input  logic                 sign,
    input  logic signed [XW-1:0] unit_exp,
    input  logic [IN_W-1:0]      mag,
    output logic [E+M:0]         y
);
  localparam int MW = (IN_W > M + 1) ? IN_W : M + 1;
  localparam int NW = MW + 3;  // three zero bits below mag: guard and sticky always exist
  localparam int LW = $clog2(NW);
  localparam int BIAS = (1 << (E - 1)) - 1;
  localparam int EXP_MAX = (1 << E) - 1;

  logic [NW-1:0] padded, norm;
  logic [LW-1:0] msb;
  logic [M:0] kept;
  logic guard, low_sticky, up;
  logic [M+1:0] rounded;
  logic signed [XW-1:0] exp_b;

  always_comb begin
    padded = NW'(mag) << 3;
    msb = '0;
    for (int i = 0; i < NW; i++) begin
      if (padded[i]) msb = LW'(i);
    end
    norm = padded << (LW'(NW - 1) - msb);
    kept = norm[NW-1-:M+1];
    guard = norm[NW-2-M];
    low_sticky = |norm[NW-3-M:0];
    up = guard && (low_sticky || kept[0]);
    rounded = {1'b0, kept} + (M + 2)'(up);
    // value = rounded x 2^(unit_exp - 3 + msb - M): biased exponent unit_exp - 3 + msb + BIAS.
    exp_b = unit_exp + $signed(XW'(msb)) + XW'(BIAS - 3) + $signed(XW'(rounded[M+1]));
    if (mag == '0) begin
      y = {sign, {(E + M) {1'b0}}};
    end else if (exp_b >= XW'(EXP_MAX)) begin
      y = {sign, E'(EXP_MAX), {M{1'b0}}};
    end else if (exp_b <= XW'(0)) begin
      y = {sign, {(E + M) {1'b0}}};
    end else begin
      y = {sign, exp_b[E-1:0], rounded[M+1] ? rounded[M:1] : rounded[M-1:0]};
    end
  end
endmodule
