/*
 * SPIN twin of tests/faults/request_reply.model, for request_reply_{lose,duplicate,total}_N.spec
 * (tests/test_spin_faults.py gives the -D options of each spec).
 *
 * Shape: one active proctype per actor instance and one for the fault injector, each a loop
 * of d_steps (one d_step = one protocheck transition), so no process counter ever changes and
 * SPIN's state is the model's: control states, the channel slots (fifo.h) and the fault
 * counters. A Monitor process has options that are enabled only in a state that violates the
 * spec (an invariant, or a deadlock with -DDEADLOCK) and that assert false there: they change
 * nothing, so they add no state; `pan -A` (assertions off) counts the states, plain `pan`
 * gives the verdict.
 *
 * Channels (capacity 4, the model's default): c2s is Client -> Server (only Req), s2c is
 * Server -> Client (only Resp). A send to a full channel disables the transition.
 *
 * Fault clauses: `lose` (budget B_LOSE, one counter f_lose) applies to c2s if LOSE_REQ and to
 * s2c if LOSE_RESP; `duplicate` (B_DUP, f_dup) likewise with DUP_REQ / DUP_RESP; TOTAL is the
 * `faults at most` budget (default: the sum), f_total its counter. A clause a spec does not
 * have is budget 0 here: its counter stays 0 and adds no state. A lose or a duplicate may
 * take any position of the slot (as protocheck does; of equal neighbours it takes only the
 * first, which gives the same state).
 */
#include "fifo.h"

#ifndef B_LOSE
#define B_LOSE 0
#endif
#ifndef B_DUP
#define B_DUP 0
#endif
#ifndef TOTAL
#define TOTAL (B_LOSE + B_DUP)
#endif
#ifndef LOSE_REQ
#define LOSE_REQ 0
#endif
#ifndef LOSE_RESP
#define LOSE_RESP 0
#endif
#ifndef DUP_REQ
#define DUP_REQ 0
#endif
#ifndef DUP_RESP
#define DUP_RESP 0
#endif

#define CAP 4
#define REQ 1
#define RESP 2

/* Client: Idle, Waiting, Done. Server: Serving (its only state, never left). */
#define Idle 0
#define Waiting 1
#define Done 2

byte client = Idle;
byte c2s[CAP]; byte c2s_n;
byte s2c[CAP]; byte s2c_n;
byte f_lose; byte f_dup; byte f_total;

/* the spec's invariants */
#if defined(INV_ONE_REQUEST)
#define INV (c2s_n <= 1)                       /* one_request: pending(Req) <= 1 */
#elif defined(INV_IN_FLIGHT)
#define INV (c2s_n + s2c_n <= IN_FLIGHT)       /* in_flight: pending(Req) + pending(Resp) <= N */
#else
#define INV true
#endif

/* deadlock: no transition of an actor is enabled (faults do not count), someone not final */
#define EN_SEND   (client == Idle && c2s_n < CAP)
#define EN_RESP   (client == Waiting && s2c_n > 0 && s2c[0] == RESP)
#define EN_LATE   (client == Done && s2c_n > 0 && s2c[0] == RESP)
#define EN_REQ    (c2s_n > 0 && c2s[0] == REQ && s2c_n < CAP)
#define ENABLED   (EN_SEND || EN_RESP || EN_LATE || EN_REQ)
#define ALL_FINAL (client == Done)

active proctype Client() {
end: do
  /* step Send in Idle { send Req to Server; goto Waiting } */
  :: d_step { EN_SEND -> fifo_put(c2s, c2s_n, REQ); client = Waiting }
  /* on Resp in Waiting { goto Done } */
  :: d_step { EN_RESP -> fifo_del(s2c, s2c_n, 0); client = Done }
  /* on Resp in Done { skip } */
  :: d_step { EN_LATE -> fifo_del(s2c, s2c_n, 0) }
  od
}

active proctype Server() {
end: do
  /* on Req { send Resp to Client } */
  :: d_step { EN_REQ -> fifo_del(c2s, c2s_n, 0); fifo_put(s2c, s2c_n, RESP) }
  od
}

#define LOSE_OK (f_total < TOTAL && f_lose < B_LOSE)
#define DUP_OK  (f_total < TOTAL && f_dup < B_DUP)
/* one option per position p of a slot */
#define LOSE_AT(q, n, m, p) \
  :: d_step { LOSE_OK && n > p && q[p] == m -> f_total++; f_lose++; fifo_del(q, n, p) }
#define DUP_AT(q, n, m, p) \
  :: d_step { DUP_OK && n > p && n < CAP && q[p] == m -> f_total++; f_dup++; fifo_dup(q, n, p) }

active proctype Faults() {
end: do
#if LOSE_REQ
  LOSE_AT(c2s, c2s_n, REQ, 0)
  LOSE_AT(c2s, c2s_n, REQ, 1)
  LOSE_AT(c2s, c2s_n, REQ, 2)
  LOSE_AT(c2s, c2s_n, REQ, 3)
#endif
#if LOSE_RESP
  LOSE_AT(s2c, s2c_n, RESP, 0)
  LOSE_AT(s2c, s2c_n, RESP, 1)
  LOSE_AT(s2c, s2c_n, RESP, 2)
  LOSE_AT(s2c, s2c_n, RESP, 3)
#endif
#if DUP_REQ
  DUP_AT(c2s, c2s_n, REQ, 0)
  DUP_AT(c2s, c2s_n, REQ, 1)
  DUP_AT(c2s, c2s_n, REQ, 2)
#endif
#if DUP_RESP
  DUP_AT(s2c, s2c_n, RESP, 0)
  DUP_AT(s2c, s2c_n, RESP, 1)
  DUP_AT(s2c, s2c_n, RESP, 2)
#endif
  :: false  /* keeps the loop well formed when a spec has no clause here */
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
