// Pin-limited wrapper of dysta_scheduler for the iCE40 place-and-route timing run
// (scripts/synth_ice40.sh): the 48-bit command data and the accelerator's data lanes arrive
// through shift registers, wide outputs are folded to parity bits. Every scheduler port stays
// connected, so nothing of the scheduler is optimised away; the registered I/O keeps pad delays
// out of the measured register-to-register paths. For timing and size only, not a product.
module dysta_ice40_top #(
    parameter int QUEUE_BITS = 6,
    parameter int SLOT_BITS = 4,
    parameter int LAYER_BITS = 6,
    parameter int SCORE_W = 16,
    parameter int SHARED = 1,
    parameter int TIME_W = 48
) (
    input  logic       clk,
    input  logic       rst,
    input  logic       data_in,       // shifted into the command / lane registers
    input  logic       host_cmd_valid,
    input  logic [3:0] host_cmd_code,
    input  logic       npu_vld,
    input  logic       npu_done,
    input  logic       npu_last,
    output logic       host_cmd_ready,
    output logic [2:0] host_err,
    output logic       npu_start,
    output logic       status         // parity of the task, slot, layer, queue length and data
);
  logic [47:0] cmd_sr, dat_sr;
  logic valid_r, vld_r, done_r, last_r, rst_r;
  logic [3:0] code_r;
  always_ff @(posedge clk) begin
    cmd_sr <= {cmd_sr[46:0], data_in};
    dat_sr <= {dat_sr[46:0], cmd_sr[47]};
    valid_r <= host_cmd_valid;
    code_r <= host_cmd_code;
    vld_r <= npu_vld;
    done_r <= npu_done;
    last_r <= npu_last;
    rst_r <= rst;
  end
  logic ready, start, out_vld;
  logic [2:0] err;
  logic [QUEUE_BITS:0] qlen;
  logic [QUEUE_BITS-1:0] task_id;
  logic [SLOT_BITS-1:0] slot;
  logic [LAYER_BITS-1:0] layer;
  logic [47:0] out_dat;
  dysta_scheduler #(
      .QUEUE_BITS(QUEUE_BITS), .SLOT_BITS(SLOT_BITS), .LAYER_BITS(LAYER_BITS),
      .SCORE_W(SCORE_W), .SHARED(SHARED), .TIME_W(TIME_W)
  ) u_sched (
      .clk, .rst(rst_r), .host_cmd_valid(valid_r), .host_cmd_code(code_r),
      .host_cmd_data(cmd_sr), .host_cmd_ready(ready), .host_err(err), .queue_len(qlen),
      .npu_start(start), .npu_task(task_id), .npu_slot(slot), .npu_layer(layer),
      .npu_vld(vld_r), .npu_dat(dat_sr), .npu_done(done_r), .npu_last(last_r),
      .out_vld(out_vld), .out_dat(out_dat));
  always_ff @(posedge clk) begin
    host_cmd_ready <= ready;
    host_err <= err;
    npu_start <= start;
    status <= ^{task_id, slot, layer, qlen, out_vld, out_dat};
  end
endmodule
