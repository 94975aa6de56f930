/*
 * SPIN twin of tests/faults/fifo_pair.model, for fifo_pair_N.spec (-DB_RE=N; deadlock on:
 * -DDEADLOCK).
 *
 * Shape as in request_reply.pml: one active proctype per actor instance, a Faults injector, a
 * Monitor whose options assert false only in a violating state; one d_step per transition.
 *
 * The FIFO slot Sender -> Receiver is s2r (capacity 4, the default), messages A 1, B 2.
 * `fault reorder B from Sender to Receiver`: swap the neighbours at positions p, p + 1 when
 * they differ and at least one of them is a B (one option per p).
 */
#include "fifo.h"

#ifndef B_RE
#define B_RE 0
#endif
#ifndef TOTAL
#define TOTAL B_RE
#endif

#define CAP 4
#define A 1
#define B 2

#define S0 0
#define S1 1
#define S2 2
#define R0 0
#define R1 1
#define Early 2
#define R2 3

byte sender = S0;
byte receiver = R0;
byte s2r[CAP]; byte s2r_n;
byte f_re; byte f_total;

/* in_order: not (Receiver at Early) */
#define INV (receiver != Early)

#define HEAD(m)     (s2r_n > 0 && s2r[0] == m)
#define EN_SENDA    (sender == S0 && s2r_n < CAP)
#define EN_SENDB    (sender == S1 && s2r_n < CAP)
#define EN_A_R0     (receiver == R0 && HEAD(A))
#define EN_B_R1     (receiver == R1 && HEAD(B))
#define EN_B_R0     (receiver == R0 && HEAD(B))
#define EN_A_EARLY  (receiver == Early && HEAD(A))
#define ENABLED     (EN_SENDA || EN_SENDB || EN_A_R0 || EN_B_R1 || EN_B_R0 || EN_A_EARLY)
#define ALL_FINAL   (sender == S2 && receiver == R2)

active proctype Sender() {
end: do
  /* step SendA in S0 { send A to Receiver; goto S1 } */
  :: d_step { EN_SENDA -> fifo_put(s2r, s2r_n, A); sender = S1 }
  /* step SendB in S1 { send B to Receiver; goto S2 } */
  :: d_step { EN_SENDB -> fifo_put(s2r, s2r_n, B); sender = S2 }
  od
}

active proctype Receiver() {
end: do
  /* on A in R0 { goto R1 } */
  :: d_step { EN_A_R0 -> fifo_del(s2r, s2r_n, 0); receiver = R1 }
  /* on B in R1 { goto R2 } */
  :: d_step { EN_B_R1 -> fifo_del(s2r, s2r_n, 0); receiver = R2 }
  /* on B in R0 { goto Early } */
  :: d_step { EN_B_R0 -> fifo_del(s2r, s2r_n, 0); receiver = Early }
  /* on A in Early { goto R2 } */
  :: d_step { EN_A_EARLY -> fifo_del(s2r, s2r_n, 0); receiver = R2 }
  od
}

#define REORDER_AT(p) \
  :: d_step { f_total < TOTAL && f_re < B_RE && s2r_n > p + 1 && s2r[p] != s2r[p + 1] && \
              (s2r[p] == B || s2r[p + 1] == B) -> \
       f_total++; f_re++; fifo_swap(s2r, s2r_n, p) }

active proctype Faults() {
end: do
  REORDER_AT(0)
  REORDER_AT(1)
  REORDER_AT(2)
  od
}

active proctype Monitor() {
end: do
  :: d_step { !(INV) -> assert(false) }
#ifdef DEADLOCK
  :: d_step { !(ENABLED) && !(ALL_FINAL) -> assert(false) }
#endif
  od
}
