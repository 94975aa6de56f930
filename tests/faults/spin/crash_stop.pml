/*
 * SPIN twin of tests/faults/crash_stop.model, for crash_stop_N.spec (-DB_CS=N) and
 * crash_both_N.spec (-DB_CC=1 -DB_CS=1 -DTOTAL=N); both with -DDEADLOCK (deadlock on).
 *
 * Shape as in request_reply.pml: one active proctype per actor instance, a Faults injector, a
 * Monitor whose options assert false only in a violating state; one d_step per transition.
 *
 * A crashed instance's control variable holds its actor's DOWN value (one past its last state,
 * as protocheck numbers it), so no option of its process is enabled. Crash-stop: nothing ever
 * brings it back. Client: Idle 0, Waiting 1, Done 2, down 3; Server: Serving 0, down 1.
 * Channels (capacity 4): c2s Client -> Server (Req), s2c Server -> Client (Resp).
 *
 * What a crash does (docs/faults.md), in the injector's options: the control variable
 * becomes DOWN, the instance's variables their initial values (Server.served = 0), its inbound
 * slot is emptied. A send to a crashed receiver succeeds and the message is lost: the send's
 * guard is "receiver down or room in the slot", its effect appends only if the receiver is up.
 * Clauses: crash Client (B_CC, f_cc), crash Server (B_CS, f_cs), TOTAL (default: the sum).
 */
#include "fifo.h"

#ifndef B_CC
#define B_CC 0
#endif
#ifndef B_CS
#define B_CS 0
#endif
#ifndef TOTAL
#define TOTAL (B_CC + B_CS)
#endif

#define CAP 4
#define REQ 1
#define RESP 2

#define Idle 0
#define Waiting 1
#define Done 2
#define C_DOWN 3
#define Serving 0
#define S_DOWN 1

byte client = Idle;
byte server = Serving;
bit served;
byte c2s[CAP]; byte c2s_n;
byte s2c[CAP]; byte s2c_n;
byte f_cc; byte f_cs; byte f_total;

/* done_means_served: Client at Done implies (Server.served == 1 or down(Server));
   down_forgets: down(Server) implies Server.served == 0 */
#define INV ((client != Done || served == 1 || server >= S_DOWN) && \
             (server < S_DOWN || served == 0))

#define EN_SEND   (client == Idle && (server >= S_DOWN || c2s_n < CAP))
#define EN_RESP   (client == Waiting && s2c_n > 0 && s2c[0] == RESP)
#define EN_GIVEUP (client == Waiting && server >= S_DOWN)
#define EN_REQ    (server == Serving && c2s_n > 0 && c2s[0] == REQ && \
                   (client >= C_DOWN || s2c_n < CAP))
#define ENABLED   (EN_SEND || EN_RESP || EN_GIVEUP || EN_REQ)
/* a crashed instance counts as final */
#define ALL_FINAL ((client == Done || client >= C_DOWN) && (server == Serving || server >= S_DOWN))

active proctype Client() {
end: do
  /* step Send in Idle { send Req to Server; goto Waiting } */
  :: d_step { EN_SEND ->
       if
       :: server < S_DOWN -> fifo_put(c2s, c2s_n, REQ)
       :: else -> skip  /* lost at once: the server is down */
       fi;
       client = Waiting }
  /* on Resp in Waiting { goto Done } */
  :: d_step { EN_RESP -> fifo_del(s2c, s2c_n, 0); client = Done }
  /* step GiveUp in Waiting when down(Server) { goto Done } */
  :: d_step { EN_GIVEUP -> client = Done }
  od
}

active proctype Server() {
end: do
  /* on Req { served = 1; send Resp to Client } */
  :: d_step { EN_REQ ->
       fifo_del(c2s, c2s_n, 0);
       served = 1;
       if
       :: client < C_DOWN -> fifo_put(s2c, s2c_n, RESP)
       :: else -> skip
       fi }
  od
}

active proctype Faults() {
end: do
  /* fault crash Client */
  :: d_step { f_total < TOTAL && f_cc < B_CC && client < C_DOWN ->
       f_total++; f_cc++;
       client = C_DOWN;
       fifo_clear(s2c, s2c_n) }
  /* fault crash Server */
  :: d_step { f_total < TOTAL && f_cs < B_CS && server < S_DOWN ->
       f_total++; f_cs++;
       server = S_DOWN;
       served = 0;
       fifo_clear(c2s, c2s_n) }
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
