/*
 * SPIN twin of tests/faults/supervisor.model, for supervisor_N.spec (-DTOTAL=N; deadlock on:
 * -DDEADLOCK).
 *
 * Shape as in request_reply.pml: one active proctype per actor instance, a Faults injector, a
 * Monitor whose options assert false only in a violating state; one d_step per transition.
 *
 * Worker control: Run 0, Fresh 1, DOWN 2 (unused: its clause restarts), PEND 3; `gen` is
 * durable. Sup control: Watch 0, DOWN 1 (crash-stop). Slot s2w: Sup -> Worker (Wake, capacity 4).
 * A crash of the worker: PEND, s2w emptied, a notice to the supervisor if it is up. A crash of
 * the supervisor: DOWN, `handled` and its pending notice (protocheck's hidden variable
 * crash:Worker) reset. The restart: PEND -> Fresh (the restart state), then gen + 1. A Wake
 * sent while the worker is down (PEND) is lost at once.
 * Clauses: crash Worker restart (B_CW = 2, f_cw), crash Sup (B_CS = 1, f_cs), TOTAL.
 */
#include "fifo.h"

#ifndef B_CW
#define B_CW 2
#endif
#ifndef B_CS
#define B_CS 1
#endif
#ifndef TOTAL
#define TOTAL (B_CW + B_CS)
#endif

#define CAP 4
#define WAKE 1

#define Run 0
#define Fresh 1
#define W_DOWN 2
#define W_PEND 3
#define Watch 0
#define S_DOWN 1

byte worker = Run;
byte gen;      /* durable */
byte sup = Watch;
byte handled;
bit notice;
byte s2w[CAP]; byte s2w_n;
byte f_cw; byte f_cs; byte f_total;

/* wake_only_to_up: pending(Wake) >= 1 implies not down(Worker);
   sup_forgets: down(Sup) implies Sup.handled == 0 */
#define INV ((s2w_n < 1 || worker < W_DOWN) && (sup < S_DOWN || handled == 0))

#define EN_SETTLE  (worker == Fresh)
#define EN_WAKE    (worker < W_DOWN && s2w_n > 0 && s2w[0] == WAKE)
#define EN_RESTART (worker == W_PEND)
#define EN_NOTICE  (sup == Watch && notice && (worker >= W_DOWN || s2w_n < CAP))
#define ENABLED    (EN_SETTLE || EN_WAKE || EN_RESTART || EN_NOTICE)
#define ALL_FINAL  ((worker == Run || worker >= W_DOWN) && (sup == Watch || sup >= S_DOWN))

active proctype Worker() {
end: do
  /* step Settle in Fresh { goto Run } */
  :: d_step { EN_SETTLE -> worker = Run }
  /* on Wake { skip } */
  :: d_step { EN_WAKE -> fifo_del(s2w, s2w_n, 0) }
  /* the restart: goto Fresh; on restart { gen = gen + 1 } */
  :: d_step { EN_RESTART -> worker = Fresh; gen = gen + 1 }
  od
}

active proctype Sup() {
end: do
  /* on crash of Worker in Watch { handled = handled + 1; send Wake to Worker } */
  :: d_step { EN_NOTICE ->
       notice = 0;
       handled = handled + 1;
       if
       :: worker < W_DOWN -> fifo_put(s2w, s2w_n, WAKE)
       :: else -> skip  /* lost at once: the worker is down */
       fi }
  od
}

active proctype Faults() {
end: do
  /* fault crash Worker restart */
  :: d_step { f_total < TOTAL && f_cw < B_CW && worker < W_DOWN ->
       f_total++; f_cw++;
       worker = W_PEND;
       fifo_clear(s2w, s2w_n);
       if
       :: sup < S_DOWN -> notice = 1
       :: else -> skip
       fi }
  /* fault crash Sup */
  :: d_step { f_total < TOTAL && f_cs < B_CS && sup < S_DOWN ->
       f_total++; f_cs++;
       sup = S_DOWN;
       handled = 0;
       notice = 0 }
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
