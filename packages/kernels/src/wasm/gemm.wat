;; gemm.wat: C = A @ B for M > 1 (prefill, training), the BLIS micro-kernel in WebAssembly SIMD.
;;
;; All operands are float32 in one shared memory; every address, stride and offset is in BYTES.
;;   A  packed by packA into strips of 4 rows, [Mp/4][K][4]: A[4s + i, k] at a + (s·K + k)·16 + 4i
;;      (Mp = M rounded up to 4 rows, the extra rows zero), so one pointer walks four rows at once
;;   B  [K, N] by strides: B[k, j] at b + k·rs + j·cs — a weight where it lies, row-major (cs = 4)
;;      or transposed (rs = 4, nn.Linear's x @ Wᵀ), or a copy of any other view
;;   C  [Mp, Np] rows ldc bytes apart (Np = N rounded up to 8 columns)
;; A thread computes the columns [j0, j1) of C (multiples of 8; workers.ts shares the columns out),
;; so each thread reads only its part of B, once.
;;
;; The loops (Goto & van de Geijn's, as BLIS writes them):
;;   pack A into strips of 4 rows (packA, once per product, before the threads start)
;;   for each block of NC = 256 columns of the thread's range
;;     for each slice of KC = 256 rows of B
;;       pack B[slice, block] into panels of 8 columns, [kc, 8] each   (256 KiB: stays in the L2 cache)
;;       for each panel (8 columns of C)                                 (8 KiB: stays in the L1 cache)
;;         for each strip of 4 rows of A and C
;;           tile: C[4 rows, 8 columns] += A[4 rows, slice] @ panel
;; The tile keeps its 4 x 8 floats of C in eight f32x4 registers for the whole slice: per k it
;; loads one row of the panel (two vectors), splats four values of A (one per row) and does eight
;; multiply-adds. There is no fused multiply-add in wasm SIMD 1.0, so each term is f32x4.mul then
;; f32x4.add, rounded twice, as in plain float32 C code.
;; Not here: copying operands in and C out (matmul.ts), threads (workers.ts).
;; Reference: Goto & van de Geijn (2008), "Anatomy of High-Performance Matrix Multiplication";
;; the BLIS micro-kernel; XNNPACK's f32-gemm "wasmsimd loadsplat" kernels (load B / splat A).

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; gemm: columns [j0, j1) of C = A @ B (every row of C), packing B into `pack` (KC·NC floats
  ;; of this thread's own). N is B's true width: columns from N to Np are packed as zeros.
  ;;
  ;;   for (jc = j0; jc < j1; jc += 256)
  ;;     for (k0 = 0; k0 < K; k0 += 256)
  ;;       kc = min(256, K - k0)
  ;;       pack = B[k0 .. k0+kc, jc .. jc+256] as panels of [kc, 8]
  ;;       for (p = 0; p < panels; p++)
  ;;         for (i = 0; i < Mp; i += 4)
  ;;           tile(strip i/4 of A from k0, panel p, &C[i, jc + 8p], ldc, kc, k0 == 0)
  (func $gemm (export "gemm")
    (param $a i32) (param $b i32) (param $rs i32) (param $cs i32)
    (param $c i32) (param $ldc i32) (param $Mp i32) (param $K i32) (param $N i32)
    (param $j0 i32) (param $j1 i32) (param $pack i32)
    (local $jc i32) (local $k0 i32) (local $kc i32) (local $panels i32) (local $p i32) (local $i i32)
    (local $panel i32)                       ;; panel p of the packed slice
    (local.set $jc (local.get $j0))
    (block $blocksDone
      (loop $eachBlock
        (br_if $blocksDone (i32.ge_s (local.get $jc) (local.get $j1)))
        ;; panels of 8 columns in this block: min(256, j1 - jc) / 8, rounded up
        (local.set $panels
          (i32.shr_u (i32.add (call $min (i32.sub (local.get $j1) (local.get $jc)) (i32.const 256)) (i32.const 7))
                     (i32.const 3)))
        (local.set $k0 (i32.const 0))
        (block $slicesDone
          (loop $eachSlice
            (br_if $slicesDone (i32.ge_s (local.get $k0) (local.get $K)))
            (local.set $kc (call $min (i32.sub (local.get $K) (local.get $k0)) (i32.const 256)))
            (call $packB
              ;; &B[k0, jc]
              (i32.add (local.get $b)
                (i32.add (i32.mul (local.get $k0) (local.get $rs)) (i32.mul (local.get $jc) (local.get $cs))))
              (local.get $rs) (local.get $cs) (local.get $kc) (local.get $panels)
              (i32.sub (local.get $N) (local.get $jc))   ;; columns of the block that exist
              (local.get $pack))
            (local.set $p (i32.const 0))
            (block $panelsDone
              (loop $eachPanel
                (br_if $panelsDone (i32.ge_s (local.get $p) (local.get $panels)))
                (local.set $panel (i32.add (local.get $pack) (i32.mul (local.get $p) (i32.shl (local.get $kc) (i32.const 5)))))
                (local.set $i (i32.const 0))
                (block $stripsDone
                  (loop $eachStrip
                    (br_if $stripsDone (i32.ge_s (local.get $i) (local.get $Mp)))
                    (call $tile
                      ;; strip i/4 of A from row k0: a + ((i/4)·K + k0)·16 = a + (i·K + 4·k0)·4
                      (i32.add (local.get $a)
                        (i32.shl (i32.add (i32.mul (local.get $i) (local.get $K)) (i32.shl (local.get $k0) (i32.const 2))) (i32.const 2)))
                      (local.get $panel)
                      ;; &C[i, jc + 8p]
                      (i32.add (local.get $c)
                        (i32.add (i32.mul (local.get $i) (local.get $ldc))
                                 (i32.shl (i32.add (local.get $jc) (i32.shl (local.get $p) (i32.const 3))) (i32.const 2))))
                      (local.get $ldc)
                      (local.get $kc)
                      (i32.eqz (local.get $k0)))
                    (local.set $i (i32.add (local.get $i) (i32.const 4)))
                    (br $eachStrip)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $eachPanel)))
            (local.set $k0 (i32.add (local.get $k0) (i32.const 256)))
            (br $eachSlice)))
        (local.set $jc (i32.add (local.get $jc) (i32.const 256)))
        (br $eachBlock))))

  (func $min (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.lt_s (local.get $x) (local.get $y))))

  ;; packB: `panels` panels of 8 columns of the [kc, 8·panels] block of B at b, each [kc, 8]
  ;; contiguous, one after another at dst; columns at or past `valid` are zeros.
  ;;
  ;;   for (p = 0; p < panels; p++)
  ;;     for (k = 0; k < kc; k++)
  ;;       for (j = 0; j < 8; j++)
  ;;         dst[p][k][j] = 8p + j < valid ? B[k, 8p + j] : 0
  ;;
  ;; Two common layouts of a whole panel go faster: rows of B contiguous (cs = 4, a weight used
  ;; as x @ W) copy two vectors per k; columns contiguous (rs = 4, x @ Wᵀ) read four k of each
  ;; of the 8 columns and transpose them 4 x 4 with shuffles.
  (func $packB (param $b i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $panels i32)
    (param $valid i32) (param $dst i32)
    (local $p i32) (local $k i32) (local $j i32) (local $src i32) (local $kc4 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    (local.set $p (i32.const 0))
    (block $panelsDone
      (loop $eachPanel
        (br_if $panelsDone (i32.ge_s (local.get $p) (local.get $panels)))
        (local.set $k (i32.const 0))
        (if (i32.le_s (i32.shl (i32.add (local.get $p) (i32.const 1)) (i32.const 3)) (local.get $valid))
          (then
            (if (i32.eq (local.get $cs) (i32.const 4))
              (then
                ;; rows contiguous: dst[k][0..7] = B[k, 8p .. 8p+7], two vectors
                (local.set $src (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 5))))
                (block $rowsDone
                  (loop $eachRow
                    (br_if $rowsDone (i32.ge_s (local.get $k) (local.get $kc)))
                    (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $src)))
                    (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
                    (local.set $src (i32.add (local.get $src) (local.get $rs)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $eachRow)))))
            (if (i32.eq (local.get $rs) (i32.const 4))
              (then
                ;; columns contiguous: for four k at a time, the columns 8p .. 8p+3 and then
                ;; 8p+4 .. 8p+7, each a 4 x 4 block transposed: dst[k + r][h·4 + q] = column q's k + r
                (block $quadsDone
                  (loop $eachQuad
                    (br_if $quadsDone (i32.ge_s (local.get $k) (local.get $kc4)))
                    (local.set $j (i32.const 0))
                    (block $halvesDone
                      (loop $eachHalf
                        (br_if $halvesDone (i32.ge_s (local.get $j) (i32.const 8)))
                        ;; &B[k, 8p + j]: column 8p + j, from row k
                        (local.set $src
                          (i32.add (local.get $b)
                            (i32.add (i32.shl (local.get $k) (i32.const 2))
                                     (i32.mul (i32.add (i32.shl (local.get $p) (i32.const 3)) (local.get $j)) (local.get $cs)))))
                        (local.set $r0 (v128.load (local.get $src)))   ;; column j:     k .. k+3
                        (local.set $src (i32.add (local.get $src) (local.get $cs)))
                        (local.set $r1 (v128.load (local.get $src)))   ;; column j + 1
                        (local.set $src (i32.add (local.get $src) (local.get $cs)))
                        (local.set $r2 (v128.load (local.get $src)))   ;; column j + 2
                        (local.set $src (i32.add (local.get $src) (local.get $cs)))
                        (local.set $r3 (v128.load (local.get $src)))   ;; column j + 3
                        ;; transpose: t0 = [r0.0 r1.0 r0.1 r1.1], t1 = [r0.2 r1.2 r0.3 r1.3], same for r2, r3
                        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                        ;; row k + r of the panel, columns j .. j+3 = [r0.r r1.r r2.r r3.r]
                        (v128.store offset=0 (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                        (v128.store offset=32 (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                        (v128.store offset=64 (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                        (v128.store offset=96 (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                        (local.set $j (i32.add (local.get $j) (i32.const 4)))
                        (br $eachHalf)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                    (local.set $k (i32.add (local.get $k) (i32.const 4)))
                    (br $eachQuad)))))))
        ;; whatever is left of the panel (all of it for other strides, a partial panel, and the
        ;; kc % 4 last rows of a transposed one), one float at a time
        (block $restDone
          (loop $eachRest
            (br_if $restDone (i32.ge_s (local.get $k) (local.get $kc)))
            (local.set $j (i32.const 0))
            (block $columnsDone
              (loop $eachColumn
                (br_if $columnsDone (i32.ge_s (local.get $j) (i32.const 8)))
                (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                  (if (result f32) (i32.lt_s (i32.add (i32.shl (local.get $p) (i32.const 3)) (local.get $j)) (local.get $valid))
                    (then
                      (f32.load
                        (i32.add (local.get $b)
                          (i32.add (i32.mul (local.get $k) (local.get $rs))
                                   (i32.mul (i32.add (i32.shl (local.get $p) (i32.const 3)) (local.get $j)) (local.get $cs))))))
                    (else (f32.const 0))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $eachColumn)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $eachRest)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $eachPanel))))

  ;; tile: C[4 rows, 8 columns] (+)= A strip [kc][4] @ panel [kc, 8], C's rows ldc bytes apart;
  ;; `first` starts from zero instead of C (the first slice of K).
  ;;
  ;;   for (k = 0; k < kc; k++)
  ;;     for (i = 0; i < 4; i++)
  ;;       for (j = 0; j < 8; j++)
  ;;         C[i, j] += A[i, k] * panel[k, j]
  ;;
  ;; The two inner loops are unrolled into registers: $cI0 holds C[i, 0 .. 3] and $cI1 holds
  ;; C[i, 4 .. 7]. The four A[i, k] are neighbours in the strip: four load-splats from one pointer.
  ;; NOTE: one k per step, not four: unrolled, the compiler issues all the loads of the four k
  ;; first, runs out of SIMD registers (x64 has 16) and keeps sums on the stack (measured slower).
  (func $tile (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $kc i32) (param $first i32)
    (local $aEnd i32)                        ;; the end of the strip's kc rows
    (local $c1 i32) (local $c2 i32) (local $c3 i32)  ;; &C[i, 0] for the rows i = 1, 2, 3
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128)        ;; panel[k, 0 .. 3], panel[k, 4 .. 7]
    (local $ai v128)                         ;; A[i, k] in all four lanes
    (local.set $c1 (i32.add (local.get $c) (local.get $ldc)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $ldc)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $ldc)))
    (local.set $aEnd (i32.add (local.get $a) (i32.shl (local.get $kc) (i32.const 4))))
    (if (i32.eqz (local.get $first))
      (then
        (local.set $c00 (v128.load (local.get $c)))
        (local.set $c01 (v128.load offset=16 (local.get $c)))
        (local.set $c10 (v128.load (local.get $c1)))
        (local.set $c11 (v128.load offset=16 (local.get $c1)))
        (local.set $c20 (v128.load (local.get $c2)))
        (local.set $c21 (v128.load offset=16 (local.get $c2)))
        (local.set $c30 (v128.load (local.get $c3)))
        (local.set $c31 (v128.load offset=16 (local.get $c3)))))
    (block $kDone
      (loop $eachK
        (br_if $kDone (i32.ge_u (local.get $a) (local.get $aEnd)))
        (local.set $b0 (v128.load offset=0 (local.get $b)))
        (local.set $b1 (v128.load offset=16 (local.get $b)))
        ;; row 0: C[0, 0 .. 7] += A[0, k] · panel[k, 0 .. 7]
        (local.set $ai (v128.load32_splat offset=0 (local.get $a)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $ai) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $ai) (local.get $b1))))
        ;; row 1
        (local.set $ai (v128.load32_splat offset=4 (local.get $a)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $ai) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $ai) (local.get $b1))))
        ;; row 2
        (local.set $ai (v128.load32_splat offset=8 (local.get $a)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $ai) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $ai) (local.get $b1))))
        ;; row 3
        (local.set $ai (v128.load32_splat offset=12 (local.get $a)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $ai) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $ai) (local.get $b1))))
        ;; next k: one row of the strip, one 8-float row down the panel
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $eachK)))
    ;; store the tile back
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (v128.store (local.get $c1) (local.get $c10))
    (v128.store offset=16 (local.get $c1) (local.get $c11))
    (v128.store (local.get $c2) (local.get $c20))
    (v128.store offset=16 (local.get $c2) (local.get $c21))
    (v128.store (local.get $c3) (local.get $c30))
    (v128.store offset=16 (local.get $c3) (local.get $c31)))

  ;; packA: A [M, K] by strides (A[i, k] at a + i·rs + k·cs) -> strips of 4 rows at dst,
  ;; [Mp/4][K][4]: dst[s][k][i] = A[4s + i, k], rows at or past M zero.
  ;;
  ;;   for (s = 0; s < Mp / 4; s++)
  ;;     for (k = 0; k < K; k++)
  ;;       for (i = 0; i < 4; i++) dst[s][k][i] = 4s + i < M ? A[4s + i, k] : 0
  ;;
  ;; Two layouts of a whole strip go faster: rows contiguous (cs = 4, activations [M, K]) read
  ;; four k of each of the four rows and transpose them 4 x 4 with shuffles; columns contiguous
  ;; (rs = 4: Aᵀ of a row-major matrix, backward's Xᵀ @ G) make each dst[s][k] one vector load.
  (func $packA (export "packA") (param $a i32) (param $rs i32) (param $cs i32) (param $M i32) (param $K i32) (param $dst i32)
    (local $i i32) (local $k i32) (local $r i32) (local $src i32) (local $full i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $i (i32.const 0))
    (block $stripsDone
      (loop $eachStrip
        (br_if $stripsDone (i32.ge_s (local.get $i) (local.get $M)))
        (local.set $full (i32.le_s (i32.add (local.get $i) (i32.const 4)) (local.get $M)))
        (local.set $k (i32.const 0))
        (if (i32.and (local.get $full) (i32.eq (local.get $cs) (i32.const 4)))
          (then
            ;; rows contiguous: A[i .. i+3, k .. k+3] transposed into dst[s][k .. k+3]
            (block $quadsDone
              (loop $eachQuad
                (br_if $quadsDone (i32.gt_s (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
                (local.set $src (i32.add (local.get $a)
                  (i32.add (i32.mul (local.get $i) (local.get $rs)) (i32.shl (local.get $k) (i32.const 2)))))
                (local.set $r0 (v128.load (local.get $src)))   ;; row i:     k .. k+3
                (local.set $src (i32.add (local.get $src) (local.get $rs)))
                (local.set $r1 (v128.load (local.get $src)))   ;; row i + 1
                (local.set $src (i32.add (local.get $src) (local.get $rs)))
                (local.set $r2 (v128.load (local.get $src)))   ;; row i + 2
                (local.set $src (i32.add (local.get $src) (local.get $rs)))
                (local.set $r3 (v128.load (local.get $src)))   ;; row i + 3
                ;; t0 = [r0.0 r1.0 r0.1 r1.1], t1 = [r0.2 r1.2 r0.3 r1.3], t2, t3 the same for r2, r3
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                ;; dst[s][k + q] = [r0.q r1.q r2.q r3.q]
                (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (v128.store offset=32 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $eachQuad)))))
        ;; the rest of the strip: the K % 4 last k, a partial strip, other strides
        (block $kDone
          (loop $eachK
            (br_if $kDone (i32.ge_s (local.get $k) (local.get $K)))
            (local.set $src
              (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (local.get $rs)) (i32.mul (local.get $k) (local.get $cs)))))
            (if (i32.and (local.get $full) (i32.eq (local.get $rs) (i32.const 4)))
              (then (v128.store (local.get $dst) (v128.load (local.get $src))))
              (else
                (local.set $r (i32.const 0))
                (block $rowsDone
                  (loop $eachRow
                    (br_if $rowsDone (i32.ge_s (local.get $r) (i32.const 4)))
                    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2)))
                      (if (result f32) (i32.lt_s (i32.add (local.get $i) (local.get $r)) (local.get $M))
                        (then (f32.load (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $rs)))))
                        (else (f32.const 0))))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br $eachRow)))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $eachK)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $eachStrip))))
)
