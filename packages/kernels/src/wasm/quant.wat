;; quant.wat: y = x @ Wᵀ with W quantized in ggml's blocks of 32 (Q8_0, Q4_0), in WebAssembly
;; SIMD. Decoding reads every weight once per token; at 1.06 bytes a weight (Q8_0) or 0.56
;; (Q4_0) instead of 4, the memory traffic that bounds f32 decoding falls 4-7x, and what is left
;; is arithmetic: so the activations are quantized too, per block of 32 with one scale, as
;; llama2.c's runq and ggml do, and each block is 32 integer products summed exactly in int32,
;; then scaled once by d_w · d_x.
;; Unlike runq and ggml, x is quantized to 16 bits, not 8: WebAssembly SIMD has no 8-bit dot
;; product (i32x4.dot_i16x8_s multiplies 16-bit lanes), so the weights are widened to 16 bits as
;; they load either way, and 16-bit activations cost the same instructions as 8-bit ones while
;; their rounding error is 258x smaller (int8 activations measured 98.9% top-1 agreement with f32
;; on the demo model, below the 99% goal; see ../../README.md, "Quantized weights").
;; No overflow: |q_w| <= 128, |q_x| <= 32767, and a lane sums 8 products: < 2^26.
;;
;; Layouts (all in the shared memory; addresses in BYTES):
;;   x    f32 [M, K]                      the activations
;;   xq   i16 [M, K], then xs f32 [M, K/32]  x quantized per block: x ≈ xq · xs  (quantizeRows)
;;   w    rows in groups of 4, each group one contiguous run, block after block:
;;          Q8_0: for each block b: the 32 int8 quants of rows 4g..4g+3 (4 x 32 bytes),
;;                then their 4 scales d as f32 (16 bytes)                  -> 144 bytes a block
;;          Q4_0: the 16 nibble bytes of rows 4g..4g+3 (element j in the low nibble of byte j,
;;                j + 16 in the high one: ggml's order), then the 4 scales  ->  80 bytes a block
;;        (ggml stores an f16 scale before each block of each row; quantized.ts repacks once,
;;        when it copies a weight in, so that a group is one sequential stream of bytes: read
;;        row by row, four streams at once measured 3x slower on a 40 MB matrix)
;;   y    f32 [rows, M]           y[j, i] = x[i] · W[j]   (transposed: each thread's rows of W
;;                                are one contiguous run of y; quantized.ts copies it out)
;; rows is a multiple of 4 (the caller pads W with zero rows), K a multiple of 32.
;; Not here: packing, padding and threads (quantized.ts); the f32 kernels (matvec.wat, gemm.wat).
;; Reference: llama2.c runq.c `quantize` and `matmul`; ggml-quants.c `quantize_row_q8_0`,
;; `ggml_vec_dot_q8_0_q8_0`, `ggml_vec_dot_q4_0_q8_0`; @llmts/tensor's matmulQuantizedReference
;; (the definition these approximate: it keeps x in float).

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; quantizeRows: x [M, K] -> xq [M, K] (i16 in -32767..32767) and xs [M, K/32], block by block:
  ;;
  ;;   for each block of 32:  d = max|x| / 32767;  xq[j] = nearest(x[j] / d)  (0 when d = 0)
  ;;
  ;; (ggml's quantize_row_q8_0 with 16 bits instead of 8, and an f32 scale as runq keeps it.)
  (func $quantizeRows (export "quantizeRows")
    (param $x i32) (param $xq i32) (param $M i32) (param $K i32)
    (local $xs i32) (local $end i32)          ;; &xs[block], &x[M·K]
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)  ;; the block's 32 floats
    (local $v4 v128) (local $v5 v128) (local $v6 v128) (local $v7 v128)
    (local $m v128) (local $d f32) (local $inv v128)
    (local.set $xs (i32.add (local.get $xq) (i32.shl (i32.mul (local.get $M) (local.get $K)) (i32.const 1))))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.mul (local.get $M) (local.get $K)) (i32.const 2))))
    (block $done
      (loop $eachBlock
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v0 (v128.load offset=0 (local.get $x)))
        (local.set $v1 (v128.load offset=16 (local.get $x)))
        (local.set $v2 (v128.load offset=32 (local.get $x)))
        (local.set $v3 (v128.load offset=48 (local.get $x)))
        (local.set $v4 (v128.load offset=64 (local.get $x)))
        (local.set $v5 (v128.load offset=80 (local.get $x)))
        (local.set $v6 (v128.load offset=96 (local.get $x)))
        (local.set $v7 (v128.load offset=112 (local.get $x)))
        ;; m = max |x| over the block, lane by lane, then across the lanes
        (local.set $m (f32x4.max (f32x4.max (f32x4.max (f32x4.abs (local.get $v0)) (f32x4.abs (local.get $v1)))
                                            (f32x4.max (f32x4.abs (local.get $v2)) (f32x4.abs (local.get $v3))))
                                 (f32x4.max (f32x4.max (f32x4.abs (local.get $v4)) (f32x4.abs (local.get $v5)))
                                            (f32x4.max (f32x4.abs (local.get $v6)) (f32x4.abs (local.get $v7))))))
        (local.set $d (f32.div (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                                        (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m))))
                               (f32.const 32767)))
        (f32.store (local.get $xs) (local.get $d))
        (local.set $inv (f32x4.splat (select (f32.div (f32.const 1) (local.get $d)) (f32.const 0)
                                             (f32.gt (local.get $d) (f32.const 0)))))
        ;; xq = nearest(x · (1/d)), narrowed 32 -> 16 bits, eight at a time
        (v128.store offset=0 (local.get $xq)
          (i16x8.narrow_i32x4_s (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $v0) (local.get $inv))))
                                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $v1) (local.get $inv))))))
        (v128.store offset=16 (local.get $xq)
          (i16x8.narrow_i32x4_s (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $v2) (local.get $inv))))
                                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $v3) (local.get $inv))))))
        (v128.store offset=32 (local.get $xq)
          (i16x8.narrow_i32x4_s (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $v4) (local.get $inv))))
                                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $v5) (local.get $inv))))))
        (v128.store offset=48 (local.get $xq)
          (i16x8.narrow_i32x4_s (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $v6) (local.get $inv))))
                                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $v7) (local.get $inv))))))
        (local.set $x (i32.add (local.get $x) (i32.const 128)))
        (local.set $xq (i32.add (local.get $xq) (i32.const 64)))
        (local.set $xs (i32.add (local.get $xs) (i32.const 4)))
        (br $eachBlock))))

  ;; q8_0Rows: y[j, i] = Σ_k xq[i, k]·xs[i, k/32] · w[j, k]·ws[j, k/32], for the `rows` rows of w
  ;; and the M rows of x:
  ;;
  ;;   for (j = 0; j < rows; j++)
  ;;     for (i = 0; i < M; i++)
  ;;       y[j, i] = 0
  ;;       for (b = 0; b < K/32; b++)
  ;;         sum = Σ_{k in block b} xq[i, k] · w[j, k]        (int32: exact)
  ;;         y[j, i] += sum · (xs[i, b] · ws[j, b])
  ;;
  ;; Four rows of W at a time (a group: x's block is loaded once for four rows, the group's bytes
  ;; are one stream), every x row against them while their K·36/32 bytes sit in the L1 cache
  ;; (prefill reuses them M times). A row's block sum is four i32x4.dot_i16x8_s on weights
  ;; widened 8 -> 16 bits as they load (load8x8_s); the four rows' sums are added across lanes
  ;; into one vector and scaled by the group's four scales at once:
  ;;   [Σ s0, Σ s1, Σ s2, Σ s3], a 4 x 4 transpose-and-add of the rows' i32x4 partial sums:
  ;;   ab = [s0.0+s0.2, s1.0+s1.2, s0.1+s0.3, s1.1+s1.3]   (s0, s1 interleaved low and high, added)
  ;;   cd = the same for s2, s3;  sums = [ab.0, ab.1, cd.0, cd.1] + [ab.2, ab.3, cd.2, cd.3]
  ;; (written out in place in both kernels: as a function called per block it measured 2x slower).
  (func $q8_0Rows (export "q8_0Rows")
    (param $xq i32) (param $M i32) (param $w i32) (param $y i32) (param $rows i32) (param $K i32)
    (local $j i32) (local $i i32) (local $b i32) (local $blocks i32) (local $groupBytes i32)
    (local $xs i32) (local $xp i32) (local $xsp i32)   ;; &xs[0, 0], &xq[i, 32b], &xs[i, b]
    (local $wp i32)                                    ;; the group's block b
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)  ;; xq[i, 32b .. 32b+31]
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)  ;; rows j..j+3: the block's sums
    (local $acc v128)                                  ;; y[j .. j+3, i], accumulated over the blocks
    (local $ab v128) (local $cd v128)
    (local $yp i32)
    (local.set $blocks (i32.shr_u (local.get $K) (i32.const 5)))
    (local.set $groupBytes (i32.mul (local.get $blocks) (i32.const 144)))
    (local.set $xs (i32.add (local.get $xq) (i32.shl (i32.mul (local.get $M) (local.get $K)) (i32.const 1))))
    (local.set $j (i32.const 0))
    (block $rowsDone
      (loop $eachGroup
        (br_if $rowsDone (i32.ge_s (local.get $j) (local.get $rows)))
        (local.set $i (i32.const 0))
        (block $xDone
          (loop $eachX
            (br_if $xDone (i32.ge_s (local.get $i) (local.get $M)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $xp (i32.add (local.get $xq) (i32.shl (i32.mul (local.get $i) (local.get $K)) (i32.const 1))))
            (local.set $xsp (i32.add (local.get $xs) (i32.shl (i32.mul (local.get $i) (local.get $blocks)) (i32.const 2))))
            (local.set $wp (local.get $w))
            (local.set $b (i32.const 0))
            (block $blocksDone
              (loop $eachBlock
                (br_if $blocksDone (i32.ge_s (local.get $b) (local.get $blocks)))
                (local.set $x0 (v128.load offset=0 (local.get $xp)))
                (local.set $x1 (v128.load offset=16 (local.get $xp)))
                (local.set $x2 (v128.load offset=32 (local.get $xp)))
                (local.set $x3 (v128.load offset=48 (local.get $xp)))
                (local.set $s0 (i32x4.add
                  (i32x4.add (i32x4.dot_i16x8_s (v128.load8x8_s offset=0 (local.get $wp)) (local.get $x0))
                             (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $wp)) (local.get $x1)))
                  (i32x4.add (i32x4.dot_i16x8_s (v128.load8x8_s offset=16 (local.get $wp)) (local.get $x2))
                             (i32x4.dot_i16x8_s (v128.load8x8_s offset=24 (local.get $wp)) (local.get $x3)))))
                (local.set $s1 (i32x4.add
                  (i32x4.add (i32x4.dot_i16x8_s (v128.load8x8_s offset=32 (local.get $wp)) (local.get $x0))
                             (i32x4.dot_i16x8_s (v128.load8x8_s offset=40 (local.get $wp)) (local.get $x1)))
                  (i32x4.add (i32x4.dot_i16x8_s (v128.load8x8_s offset=48 (local.get $wp)) (local.get $x2))
                             (i32x4.dot_i16x8_s (v128.load8x8_s offset=56 (local.get $wp)) (local.get $x3)))))
                (local.set $s2 (i32x4.add
                  (i32x4.add (i32x4.dot_i16x8_s (v128.load8x8_s offset=64 (local.get $wp)) (local.get $x0))
                             (i32x4.dot_i16x8_s (v128.load8x8_s offset=72 (local.get $wp)) (local.get $x1)))
                  (i32x4.add (i32x4.dot_i16x8_s (v128.load8x8_s offset=80 (local.get $wp)) (local.get $x2))
                             (i32x4.dot_i16x8_s (v128.load8x8_s offset=88 (local.get $wp)) (local.get $x3)))))
                (local.set $s3 (i32x4.add
                  (i32x4.add (i32x4.dot_i16x8_s (v128.load8x8_s offset=96 (local.get $wp)) (local.get $x0))
                             (i32x4.dot_i16x8_s (v128.load8x8_s offset=104 (local.get $wp)) (local.get $x1)))
                  (i32x4.add (i32x4.dot_i16x8_s (v128.load8x8_s offset=112 (local.get $wp)) (local.get $x2))
                             (i32x4.dot_i16x8_s (v128.load8x8_s offset=120 (local.get $wp)) (local.get $x3)))))
                ;; acc += f32([Σ s0, Σ s1, Σ s2, Σ s3]) · [d0, d1, d2, d3] · xs[i, b]
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (f32x4.convert_i32x4_s (block (result v128)  ;; the transpose-and-add above
                    (local.set $ab (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
                                              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
                    (local.set $cd (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
                                              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
                    (i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ab) (local.get $cd))
                               (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ab) (local.get $cd)))))
                             (f32x4.mul (v128.load offset=128 (local.get $wp)) (f32x4.splat (f32.load (local.get $xsp)))))))
                (local.set $wp (i32.add (local.get $wp) (i32.const 144)))
                (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
                (local.set $xsp (i32.add (local.get $xsp) (i32.const 4)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $eachBlock)))
            ;; y[j + r, i] for r < 4: rows of y are M floats apart
            (local.set $yp (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $M)) (local.get $i)) (i32.const 2))))
            (f32.store (local.get $yp) (f32x4.extract_lane 0 (local.get $acc)))
            (local.set $yp (i32.add (local.get $yp) (i32.shl (local.get $M) (i32.const 2))))
            (f32.store (local.get $yp) (f32x4.extract_lane 1 (local.get $acc)))
            (local.set $yp (i32.add (local.get $yp) (i32.shl (local.get $M) (i32.const 2))))
            (f32.store (local.get $yp) (f32x4.extract_lane 2 (local.get $acc)))
            (local.set $yp (i32.add (local.get $yp) (i32.shl (local.get $M) (i32.const 2))))
            (f32.store (local.get $yp) (f32x4.extract_lane 3 (local.get $acc)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $eachX)))
        (local.set $w (i32.add (local.get $w) (local.get $groupBytes)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $eachGroup))))

  ;; q4_0Rows: q8_0Rows for Q4_0 weights (16 bytes a block and row, 80 a block of a group):
  ;;
  ;;   for (j = 0; j < rows; j++)
  ;;     for (i = 0; i < M; i++)
  ;;       y[j, i] = Σ_b (Σ_{k in block b} xq[i, k] · (q[j, k] - 8)) · (xs[i, b] · ws[j, b])
  ;;
  ;; A row's 16 bytes become its block's 32 values q - 8 in -8..7, in element order:
  ;;   lo = (bytes & 15) - 8 -> elements 0..15,  hi = (bytes >> 4) - 8 -> elements 16..31
  ;; then widened to i16 eight at a time and dotted with x's block, as in q8_0Rows. Unpacking costs
  ;; five instructions a block more than Q8_0's widening loads: Q4_0 reads half the bytes of Q8_0
  ;; but does more arithmetic per weight (written out four times, not as a call: a call per block
  ;; per row measured 1.7x slower).
  (func $q4_0Rows (export "q4_0Rows")
    (param $xq i32) (param $M i32) (param $w i32) (param $y i32) (param $rows i32) (param $K i32)
    (local $j i32) (local $i i32) (local $b i32) (local $blocks i32) (local $groupBytes i32)
    (local $xs i32) (local $xp i32) (local $xsp i32)   ;; &xs[0, 0], &xq[i, 32b], &xs[i, b]
    (local $wp i32)                                    ;; the group's block b
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)  ;; xq[i, 32b .. 32b+31]
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)  ;; rows j..j+3: the block's sums
    (local $acc v128)                                  ;; y[j .. j+3, i], accumulated over the blocks
    (local $ab v128) (local $cd v128)
    (local $yp i32)
    (local $v v128) (local $lo v128) (local $hi v128)   ;; a row's 16 bytes; its elements 0..15 and 16..31
    (local $fifteen v128) (local $eight v128)
    (local.set $fifteen (i8x16.splat (i32.const 15)))
    (local.set $eight (i8x16.splat (i32.const 8)))
    (local.set $blocks (i32.shr_u (local.get $K) (i32.const 5)))
    (local.set $groupBytes (i32.mul (local.get $blocks) (i32.const 80)))
    (local.set $xs (i32.add (local.get $xq) (i32.shl (i32.mul (local.get $M) (local.get $K)) (i32.const 1))))
    (local.set $j (i32.const 0))
    (block $rowsDone
      (loop $eachGroup
        (br_if $rowsDone (i32.ge_s (local.get $j) (local.get $rows)))
        (local.set $i (i32.const 0))
        (block $xDone
          (loop $eachX
            (br_if $xDone (i32.ge_s (local.get $i) (local.get $M)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $xp (i32.add (local.get $xq) (i32.shl (i32.mul (local.get $i) (local.get $K)) (i32.const 1))))
            (local.set $xsp (i32.add (local.get $xs) (i32.shl (i32.mul (local.get $i) (local.get $blocks)) (i32.const 2))))
            (local.set $wp (local.get $w))
            (local.set $b (i32.const 0))
            (block $blocksDone
              (loop $eachBlock
                (br_if $blocksDone (i32.ge_s (local.get $b) (local.get $blocks)))
                (local.set $x0 (v128.load offset=0 (local.get $xp)))
                (local.set $x1 (v128.load offset=16 (local.get $xp)))
                (local.set $x2 (v128.load offset=32 (local.get $xp)))
                (local.set $x3 (v128.load offset=48 (local.get $xp)))
                (local.set $v (v128.load offset=0 (local.get $wp)))
                (local.set $lo (i8x16.sub (v128.and (local.get $v) (local.get $fifteen)) (local.get $eight)))
                (local.set $hi (i8x16.sub (i8x16.shr_u (local.get $v) (i32.const 4)) (local.get $eight)))
                (local.set $s0 (i32x4.add
                  (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $x0))
                             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $x1)))
                  (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $x2))
                             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $x3)))))
                (local.set $v (v128.load offset=16 (local.get $wp)))
                (local.set $lo (i8x16.sub (v128.and (local.get $v) (local.get $fifteen)) (local.get $eight)))
                (local.set $hi (i8x16.sub (i8x16.shr_u (local.get $v) (i32.const 4)) (local.get $eight)))
                (local.set $s1 (i32x4.add
                  (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $x0))
                             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $x1)))
                  (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $x2))
                             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $x3)))))
                (local.set $v (v128.load offset=32 (local.get $wp)))
                (local.set $lo (i8x16.sub (v128.and (local.get $v) (local.get $fifteen)) (local.get $eight)))
                (local.set $hi (i8x16.sub (i8x16.shr_u (local.get $v) (i32.const 4)) (local.get $eight)))
                (local.set $s2 (i32x4.add
                  (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $x0))
                             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $x1)))
                  (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $x2))
                             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $x3)))))
                (local.set $v (v128.load offset=48 (local.get $wp)))
                (local.set $lo (i8x16.sub (v128.and (local.get $v) (local.get $fifteen)) (local.get $eight)))
                (local.set $hi (i8x16.sub (i8x16.shr_u (local.get $v) (i32.const 4)) (local.get $eight)))
                (local.set $s3 (i32x4.add
                  (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $x0))
                             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $x1)))
                  (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $x2))
                             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $x3)))))
                ;; acc += f32([Σ s0, Σ s1, Σ s2, Σ s3]) · [d0, d1, d2, d3] · xs[i, b]
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (f32x4.convert_i32x4_s (block (result v128)  ;; the transpose-and-add above
                    (local.set $ab (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
                                              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
                    (local.set $cd (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
                                              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
                    (i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ab) (local.get $cd))
                               (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ab) (local.get $cd)))))
                             (f32x4.mul (v128.load offset=64 (local.get $wp)) (f32x4.splat (f32.load (local.get $xsp)))))))
                (local.set $wp (i32.add (local.get $wp) (i32.const 80)))
                (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
                (local.set $xsp (i32.add (local.get $xsp) (i32.const 4)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $eachBlock)))
            ;; y[j + r, i] for r < 4: rows of y are M floats apart
            (local.set $yp (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $M)) (local.get $i)) (i32.const 2))))
            (f32.store (local.get $yp) (f32x4.extract_lane 0 (local.get $acc)))
            (local.set $yp (i32.add (local.get $yp) (i32.shl (local.get $M) (i32.const 2))))
            (f32.store (local.get $yp) (f32x4.extract_lane 1 (local.get $acc)))
            (local.set $yp (i32.add (local.get $yp) (i32.shl (local.get $M) (i32.const 2))))
            (f32.store (local.get $yp) (f32x4.extract_lane 2 (local.get $acc)))
            (local.set $yp (i32.add (local.get $yp) (i32.shl (local.get $M) (i32.const 2))))
            (f32.store (local.get $yp) (f32x4.extract_lane 3 (local.get $acc)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $eachX)))
        (local.set $w (i32.add (local.get $w) (local.get $groupBytes)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $eachGroup)))))
