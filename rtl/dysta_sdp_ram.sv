// Simple dual-port RAM: one write port, one registered read port (read data one cycle after the
// address; a read of the address being written returns the old contents). No reset: Yosys maps
// it to block or distributed RAM.
module dysta_sdp_ram #(
    parameter int W = 32,
    parameter int AW = 10
) (
    input  logic          clk,
    input  logic          we,
    input  logic [AW-1:0] waddr,
    input  logic [W-1:0]  wdata,
    input  logic [AW-1:0] raddr,
    output logic [W-1:0]  rdata
);
  logic [W-1:0] mem[1 << AW]  /*verilator public_flat_rd*/;
  always_ff @(posedge clk) begin
    if (we) mem[waddr] <= wdata;
    rdata <= mem[raddr];
  end
endmodule
