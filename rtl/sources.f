dysta_fp_norm.sv
dysta_fp_pack.sv
dysta_fp_mul.sv
dysta_fp_add.sv
dysta_fix2fp.sv
dysta_sdp_ram.sv
dysta_delay.sv
dysta_scheduler.sv
