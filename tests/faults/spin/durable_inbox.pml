/*
 * SPIN twin of tests/faults/durable_inbox.model, for durable_inbox_N.spec (-DB_CC=N; deadlock
 * on: -DDEADLOCK).
 *
 * Shape as in request_reply.pml: one active proctype per actor instance, a Faults injector, a
 * Monitor whose options assert false only in a violating state; one d_step per transition.
 *
 * Consumer control: Up 0, DOWN 1 (unused: the clause restarts), PEND 2 (a restart pending).
 * The channel Producer -> Consumer (slot p2c, capacity 2) is durable: a crash of the consumer
 * keeps it, and a send while the consumer is down is queued as usual (full: disabled). The
 * crash resets `got`; the restart resumes at the initial state Up (no restart state, no
 * `on restart`).
 */
#include "fifo.h"

#ifndef B_CC
#define B_CC 0
#endif
#ifndef TOTAL
#define TOTAL B_CC
#endif

#define CAP 2
#define ITEM 1

#define P0 0
#define P1 1
#define P2 2
#define Up 0
#define C_DOWN 1
#define C_PEND 2

byte producer = P0;
byte consumer = Up;
byte got;
byte p2c[CAP]; byte p2c_n;
byte f_cc; byte f_total;

/* kept: pending(Item) + Consumer.got <= 2 */
#define INV (p2c_n + got <= 2)

#define EN_PUT1    (producer == P0 && p2c_n < CAP)
#define EN_PUT2    (producer == P1 && p2c_n < CAP)
#define EN_ITEM    (consumer == Up && p2c_n > 0 && p2c[0] == ITEM)
#define EN_RESTART (consumer == C_PEND)
#define ENABLED    (EN_PUT1 || EN_PUT2 || EN_ITEM || EN_RESTART)
#define ALL_FINAL  (producer == P2 && (consumer == Up || consumer >= C_DOWN))

active proctype Producer() {
end: do
  /* step Put1 in P0 { send Item to Consumer; goto P1 } */
  :: d_step { EN_PUT1 -> fifo_put(p2c, p2c_n, ITEM); producer = P1 }
  /* step Put2 in P1 { send Item to Consumer; goto P2 } */
  :: d_step { EN_PUT2 -> fifo_put(p2c, p2c_n, ITEM); producer = P2 }
  od
}

active proctype Consumer() {
end: do
  /* on Item { got = got + 1 } */
  :: d_step { EN_ITEM -> fifo_del(p2c, p2c_n, 0); got = got + 1 }
  /* the restart: goto Up (the initial state) */
  :: d_step { EN_RESTART -> consumer = Up }
  od
}

active proctype Faults() {
end: do
  /* fault crash Consumer restart: the durable channel is kept */
  :: d_step { f_total < TOTAL && f_cc < B_CC && consumer < C_DOWN ->
       f_total++; f_cc++;
       consumer = C_PEND;
       got = 0 }
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
