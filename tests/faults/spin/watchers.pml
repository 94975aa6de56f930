/*
 * SPIN twin of tests/faults/watchers.model, for watchers_crash_N.spec
 * (-DB_CRASH=N -DCRASH_ANY -DINV_CRASH) and watchers_mixed_N.spec
 * (-DB_CRASH=1 -DB_LOSE=1 -DTOTAL=N -DINV_MIXED); both with -DDEADLOCK (deadlock on).
 *
 * Shape as in request_reply.pml: one active proctype per actor instance (Node_0, Node_1,
 * Monitor), a Faults injector, a Checker whose options assert false only in a violating state;
 * one d_step per transition.
 *
 * Node[i] control: Up 0, DOWN 1 (crash-stop); Monitor: Probe 0, Watch 1 (never crashed).
 * Slots (capacity 4): m2n0, m2n1 Monitor -> Node[i] (Ping), n2m0, n2m1 Node[i] -> Monitor
 * (Pong). `send Ping to all Node` appends to the slot of each node that is up (the message to a
 * crashed node is lost at once) and needs room only in those.
 * The monitor's pending crash notices are the bits of `notice` (bit i: Node[i]); the handler
 * `on crash of Node in Watch` is one option per bit. A crash of Node[i]: control DOWN,
 * pinged[i] = 0, m2n_i emptied (n2m_i, which it sent, kept), notice bit i set.
 * Clauses: crash (B_CRASH, f_crash) of either node with -DCRASH_ANY, else of Node[1] only;
 * lose Pong from Node[0] to Monitor (B_LOSE, f_lose), any position of n2m0; TOTAL.
 */
#include "fifo.h"

#ifndef B_CRASH
#define B_CRASH 0
#endif
#ifndef B_LOSE
#define B_LOSE 0
#endif
#ifndef TOTAL
#define TOTAL (B_CRASH + B_LOSE)
#endif

#define CAP 4
#define PING 1
#define PONG 2

#define Up 0
#define N_DOWN 1
#define Probe 0
#define Watch 1

byte node[2];       /* Up */
bit pinged[2];
byte monitor = Probe;
byte told;
byte notice;
byte m2n0[CAP]; byte m2n0_n;
byte m2n1[CAP]; byte m2n1_n;
byte n2m0[CAP]; byte n2m0_n;
byte n2m1[CAP]; byte n2m1_n;
byte f_crash; byte f_lose; byte f_total;

/* told_of_down: (Monitor.told >= 1 implies (down(Node[0]) or down(Node[1])))
                 and (Monitor.told == 2 implies (down(Node[0]) and down(Node[1]))) */
#define TOLD_OF_DOWN ((told < 1 || node[0] >= N_DOWN || node[1] >= N_DOWN) && \
                      (told != 2 || (node[0] >= N_DOWN && node[1] >= N_DOWN)))
#if defined(INV_CRASH)
/* down_forgets: forall n in Node: down(n) implies not n.pinged */
#define INV (TOLD_OF_DOWN && (node[0] < N_DOWN || !pinged[0]) && (node[1] < N_DOWN || !pinged[1]))
#elif defined(INV_MIXED)
/* only_node_1: not down(Node[0]) and Monitor.told <= 1 */
#define INV (TOLD_OF_DOWN && node[0] < N_DOWN && told <= 1)
#else
#define INV true
#endif

#define EN_PING0   (node[0] == Up && m2n0_n > 0 && m2n0[0] == PING && n2m0_n < CAP)
#define EN_PING1   (node[1] == Up && m2n1_n > 0 && m2n1[0] == PING && n2m1_n < CAP)
#define EN_START   (monitor == Probe && (node[0] >= N_DOWN || m2n0_n < CAP) && \
                    (node[1] >= N_DOWN || m2n1_n < CAP))
#define EN_PONG0   (monitor == Watch && n2m0_n > 0 && n2m0[0] == PONG)
#define EN_PONG1   (monitor == Watch && n2m1_n > 0 && n2m1[0] == PONG)
#define EN_CRASH0  (monitor == Watch && (notice & 1))
#define EN_CRASH1  (monitor == Watch && (notice & 2))
#define ENABLED    (EN_PING0 || EN_PING1 || EN_START || EN_PONG0 || EN_PONG1 || EN_CRASH0 || \
                    EN_CRASH1)
#define ALL_FINAL  (monitor == Watch)   /* Node: Up is final, and so is down */

/* on Ping { pinged = true; send Pong to sender } */
active proctype Node_0() {
end: do
  :: d_step { EN_PING0 -> fifo_del(m2n0, m2n0_n, 0); pinged[0] = 1; fifo_put(n2m0, n2m0_n, PONG) }
  od
}

active proctype Node_1() {
end: do
  :: d_step { EN_PING1 -> fifo_del(m2n1, m2n1_n, 0); pinged[1] = 1; fifo_put(n2m1, n2m1_n, PONG) }
  od
}

active proctype Monitor() {
end: do
  /* step Start in Probe { send Ping to all Node; goto Watch } */
  :: d_step { EN_START ->
       if
       :: node[0] < N_DOWN -> fifo_put(m2n0, m2n0_n, PING)
       :: else -> skip
       fi;
       if
       :: node[1] < N_DOWN -> fifo_put(m2n1, m2n1_n, PING)
       :: else -> skip
       fi;
       monitor = Watch }
  /* on Pong in Watch { skip }, from Node[0] and from Node[1] */
  :: d_step { EN_PONG0 -> fifo_del(n2m0, n2m0_n, 0) }
  :: d_step { EN_PONG1 -> fifo_del(n2m1, n2m1_n, 0) }
  /* on crash of Node in Watch { told = told + 1 }, a notice of Node[0] and of Node[1] */
  :: d_step { EN_CRASH0 -> notice = notice & 2; told = told + 1 }
  :: d_step { EN_CRASH1 -> notice = notice & 1; told = told + 1 }
  od
}

#define CRASH_OK (f_total < TOTAL && f_crash < B_CRASH)
#define LOSE_OK  (f_total < TOTAL && f_lose < B_LOSE)
#define LOSE_AT(p) \
  :: d_step { LOSE_OK && n2m0_n > p && n2m0[p] == PONG -> \
       f_total++; f_lose++; fifo_del(n2m0, n2m0_n, p) }

active proctype Faults() {
end: do
#ifdef CRASH_ANY
  /* fault crash Node: Node[0] */
  :: d_step { CRASH_OK && node[0] < N_DOWN ->
       f_total++; f_crash++;
       node[0] = N_DOWN; pinged[0] = 0; fifo_clear(m2n0, m2n0_n);
       notice = notice | 1 }
#endif
  /* fault crash Node (or Node[1]): Node[1] */
  :: d_step { CRASH_OK && node[1] < N_DOWN ->
       f_total++; f_crash++;
       node[1] = N_DOWN; pinged[1] = 0; fifo_clear(m2n1, m2n1_n);
       notice = notice | 2 }
  /* fault lose Pong from Node[0] to Monitor */
  LOSE_AT(0)
  LOSE_AT(1)
  LOSE_AT(2)
  LOSE_AT(3)
  od
}

active proctype Checker() {
end: do
  :: d_step { !(INV) -> assert(false) }
#ifdef DEADLOCK
  :: d_step { !(ENABLED) && !(ALL_FINAL) -> assert(false) }
#endif
  od
}
