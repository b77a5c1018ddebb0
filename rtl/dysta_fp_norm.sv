// First half of rounding: normalises (-1)^s x mag x 2^unit_exp so that the M+1 kept bits start at
// mag's leading one, and returns them with the guard bit, the sticky bit (OR of everything
// below) and the biased exponent before the rounding carry. Combinational; dysta_fp_pack is the
// second half. Together they are the twin of round_pack() in src/hardware/soft_float.cpp
// (nearest-even, unbounded exponent, then flush-to-zero / infinity).
module dysta_fp_norm #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int IN_W = 32,  // width of mag
    parameter int XW = 12     // width of the signed exponent arithmetic
) (
    input  logic signed [XW-1:0] unit_exp,
    input  logic [IN_W-1:0]      mag,
    output logic [M:0]           kept,
    output logic                 guard,
    output logic                 sticky,
    output logic signed [XW-1:0] exp_pre,  // biased exponent of kept x 2^-M, before the carry
    output logic                 zero      // mag == 0
);
  localparam int MW = (IN_W > M + 1) ? IN_W : M + 1;
  localparam int NW = MW + 3;  // three zero bits below mag: guard and sticky always exist
  localparam int LW = $clog2(NW);
  localparam int BIAS = (1 << (E - 1)) - 1;

  logic [NW-1:0] padded, norm;
  logic [LW-1:0] msb;
  always_comb begin
    padded = NW'(mag) << 3;
    msb = '0;
    for (int i = 0; i < NW; i++) begin
      if (padded[i]) msb = LW'(i);
    end
    norm = padded << (LW'(NW - 1) - msb);
    kept = norm[NW-1-:M+1];
    guard = norm[NW-2-M];
    sticky = |norm[NW-3-M:0];
    // value = kept x 2^(unit_exp - 3 + msb - M): biased exponent unit_exp - 3 + msb + BIAS.
    exp_pre = unit_exp + $signed(XW'(msb)) + XW'(BIAS - 3);
    zero = mag == '0;
  end
endmodule
