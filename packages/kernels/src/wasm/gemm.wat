;; gemm.wat: C = A @ B for M > 1 (prefill, training), the BLIS micro-kernel in WebAssembly SIMD.
;;
;; All operands are float32 in one shared memory; every address, stride and offset is in BYTES.
;; matmul.ts packs the operands before calling here:
;;   A  [Mp, K] row-major (Mp = M rounded up to 4 rows, the extra rows zero)
;;   B  KC-deep slices of K; slice k0 holds panels of 8 columns, panel q = [kc, 8] contiguous
;;      (Np = N rounded up to 8 columns, the extra columns zero)
;;   C  [Mp, Np] row-major, zeroed
;;
;; The micro-kernel keeps a 4 x 8 tile of C in eight f32x4 registers for a whole K slice: per k
;; it loads one row of the B panel (two vectors), splats four values of A (one per row) and does
;; eight multiply-adds. There is no fused multiply-add in wasm SIMD 1.0, so each term is f32x4.mul
;; then f32x4.add, rounded twice, as in plain float32 C code.
;; Not here: packing, padding, threads (matmul.ts and workers.ts, in TypeScript).
;; Reference: Goto & van de Geijn (2008), "Anatomy of High-Performance Matrix Multiplication";
;; the BLIS micro-kernel; XNNPACK's f32-gemm "wasmsimd splat" kernels (same load-B / splat-A).

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; gemm: rows [i0, i1) of C [Mp, Np] = A [Mp, K] @ Bpacked, cache-blocked. A thread gets a
  ;; range of rows (workers.ts), so i0 and i1 are multiples of 4 (or i1 = Mp).
  ;;
  ;;   for (k0 = 0; k0 < K; k0 += 256)          // a K slice: one B panel (256·8 floats, 8 KiB) stays in L1
  ;;     kc = min(256, K - k0)
  ;;     for (r = i0; r < i1; r += 64)          // a block of A rows (64·256 floats, 64 KiB) stays in L2
  ;;       mc = min(64, i1 - r)
  ;;       gemmBlock(&A[r, k0], K, slice k0 of B, &C[r, 0], Np, mc / 4, Np / 8, kc)
  (func $gemm (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $Np i32) (param $K i32)
    (param $i0 i32) (param $i1 i32)
    (local $k0 i32) (local $kc i32) (local $r i32) (local $mc i32)
    (local.set $k0 (i32.const 0))
    (block $slicesDone
      (loop $eachSlice
        (br_if $slicesDone (i32.ge_s (local.get $k0) (local.get $K)))
        (local.set $kc (call $min (i32.sub (local.get $K) (local.get $k0)) (i32.const 256)))
        (local.set $r (local.get $i0))
        (block $blocksDone
          (loop $eachBlock
            (br_if $blocksDone (i32.ge_s (local.get $r) (local.get $i1)))
            (local.set $mc (call $min (i32.sub (local.get $i1) (local.get $r)) (i32.const 64)))
            (call $gemmBlock
              ;; &A[r, k0] = a + (r·K + k0)·4, its rows K·4 bytes apart
              (i32.add (local.get $a)
                (i32.shl (i32.add (i32.mul (local.get $r) (local.get $K)) (local.get $k0)) (i32.const 2)))
              (i32.shl (local.get $K) (i32.const 2))
              ;; slice k0 of B = b + k0·Np·4
              (i32.add (local.get $b) (i32.shl (i32.mul (local.get $k0) (local.get $Np)) (i32.const 2)))
              ;; &C[r, 0] = c + r·Np·4, its rows Np·4 bytes apart
              (i32.add (local.get $c) (i32.shl (i32.mul (local.get $r) (local.get $Np)) (i32.const 2)))
              (i32.shl (local.get $Np) (i32.const 2))
              (i32.shr_u (local.get $mc) (i32.const 2))   ;; strips of 4 rows
              (i32.shr_u (local.get $Np) (i32.const 3))   ;; panels of 8 columns
              (local.get $kc))
            (local.set $r (i32.add (local.get $r) (i32.const 64)))
            (br $eachBlock)))
        (local.set $k0 (i32.add (local.get $k0) (i32.const 256)))
        (br $eachSlice))))

  (func $min (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.lt_s (local.get $x) (local.get $y))))

  ;; gemmBlock: C[strips·4, panels·8] += A[strips·4, kc] @ Bpacked, A rows lda bytes apart,
  ;; C rows ldc bytes apart, B as `panels` panels of [kc, 8] floats (panel p at b + p·kc·32).
  ;;
  ;;   for (p = 0; p < panels; p++)             // 8 columns of C
  ;;     for (s = 0; s < strips; s++)           // 4 rows of C
  ;;       for (k = 0; k < kc; k++)
  ;;         for (i = 0; i < 4; i++)
  ;;           for (j = 0; j < 8; j++)
  ;;             C[4s + i, 8p + j] += A[4s + i, k] * B[k, 8p + j]
  ;;
  ;; The two inner loops are unrolled into registers: $cI0 holds C[4s + i, 8p .. 8p+3] and $cI1
  ;; holds C[4s + i, 8p+4 .. 8p+7].
  (func $gemmBlock (export "gemmBlock")
    (param $a i32) (param $lda i32) (param $b i32) (param $c i32) (param $ldc i32)
    (param $strips i32) (param $panels i32) (param $kc i32)
    (local $p i32) (local $s i32) (local $k i32)
    (local $bPanel i32) (local $cPanel i32)  ;; panel p of B, and its 8 columns of C
    (local $aRow i32) (local $bRow i32)      ;; &A[4s, k], &B[k, panel p]
    (local $cRow0 i32) (local $cRow1 i32)    ;; &C[4s + i, 8p] for the four rows i of the tile
    (local $cRow2 i32) (local $cRow3 i32)
    (local $lda2 i32) (local $lda3 i32)      ;; 2·lda, 3·lda
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128)        ;; B[k, 8p .. 8p+3], B[k, 8p+4 .. 8p+7]
    (local $ai v128)                         ;; A[4s + i, k] in all four lanes
    (local.set $lda2 (i32.shl (local.get $lda) (i32.const 1)))
    (local.set $lda3 (i32.add (local.get $lda2) (local.get $lda)))
    (local.set $p (i32.const 0))
    (block $panelsDone
      (loop $eachPanel
        (br_if $panelsDone (i32.ge_s (local.get $p) (local.get $panels)))
        (local.set $bPanel (i32.add (local.get $b) (i32.mul (local.get $p) (i32.shl (local.get $kc) (i32.const 5)))))
        (local.set $cPanel (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 5))))
        (local.set $s (i32.const 0))
        (block $stripsDone
          (loop $eachStrip
            (br_if $stripsDone (i32.ge_s (local.get $s) (local.get $strips)))
            (local.set $cRow0 (i32.add (local.get $cPanel) (i32.mul (local.get $s) (i32.shl (local.get $ldc) (i32.const 2)))))
            (local.set $cRow1 (i32.add (local.get $cRow0) (local.get $ldc)))
            (local.set $cRow2 (i32.add (local.get $cRow1) (local.get $ldc)))
            (local.set $cRow3 (i32.add (local.get $cRow2) (local.get $ldc)))
            (local.set $aRow (i32.add (local.get $a) (i32.mul (local.get $s) (i32.shl (local.get $lda) (i32.const 2)))))
            (local.set $bRow (local.get $bPanel))
            ;; load the 4 x 8 tile of C
            (local.set $c00 (v128.load (local.get $cRow0)))
            (local.set $c01 (v128.load offset=16 (local.get $cRow0)))
            (local.set $c10 (v128.load (local.get $cRow1)))
            (local.set $c11 (v128.load offset=16 (local.get $cRow1)))
            (local.set $c20 (v128.load (local.get $cRow2)))
            (local.set $c21 (v128.load offset=16 (local.get $cRow2)))
            (local.set $c30 (v128.load (local.get $cRow3)))
            (local.set $c31 (v128.load offset=16 (local.get $cRow3)))
            (local.set $k (i32.const 0))
            (block $kDone
              (loop $eachK
                (br_if $kDone (i32.ge_s (local.get $k) (local.get $kc)))
                (local.set $b0 (v128.load (local.get $bRow)))
                (local.set $b1 (v128.load offset=16 (local.get $bRow)))
                ;; row 0: C[4s, 8p .. 8p+7] += A[4s, k] · B[k, 8p .. 8p+7]
                (local.set $ai (f32x4.splat (f32.load (local.get $aRow))))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $ai) (local.get $b0))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $ai) (local.get $b1))))
                ;; row 1
                (local.set $ai (f32x4.splat (f32.load (i32.add (local.get $aRow) (local.get $lda)))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $ai) (local.get $b0))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $ai) (local.get $b1))))
                ;; row 2
                (local.set $ai (f32x4.splat (f32.load (i32.add (local.get $aRow) (local.get $lda2)))))
                (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $ai) (local.get $b0))))
                (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $ai) (local.get $b1))))
                ;; row 3
                (local.set $ai (f32x4.splat (f32.load (i32.add (local.get $aRow) (local.get $lda3)))))
                (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $ai) (local.get $b0))))
                (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $ai) (local.get $b1))))
                ;; next k: one float along A's rows, one 8-float row down the B panel
                (local.set $aRow (i32.add (local.get $aRow) (i32.const 4)))
                (local.set $bRow (i32.add (local.get $bRow) (i32.const 32)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $eachK)))
            ;; store the tile back
            (v128.store (local.get $cRow0) (local.get $c00))
            (v128.store offset=16 (local.get $cRow0) (local.get $c01))
            (v128.store (local.get $cRow1) (local.get $c10))
            (v128.store offset=16 (local.get $cRow1) (local.get $c11))
            (v128.store (local.get $cRow2) (local.get $c20))
            (v128.store offset=16 (local.get $cRow2) (local.get $c21))
            (v128.store (local.get $cRow3) (local.get $c30))
            (v128.store offset=16 (local.get $cRow3) (local.get $c31))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $eachStrip)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $eachPanel))))
)
