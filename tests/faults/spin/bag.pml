/*
 * SPIN twin of tests/faults/bag.model, for bag_N.spec (-DB_DUP=N) and bag_lose_N.spec
 * (-DB_LOSE=N); deadlock on: -DDEADLOCK.
 *
 * Shape as in request_reply.pml: one active proctype per actor instance, a Faults injector, a
 * Monitor whose options assert false only in a violating state; one d_step per transition.
 *
 * The unordered channel Sender -> Receiver (capacity 3) is a bag: protocheck keeps it as a
 * sorted tuple, here it is the number of each message in it (bag_a, bag_b), which is the same
 * canonical multiset. Any message of it can be received. `fault duplicate any` adds one copy
 * of a message that is in the bag, if the bag is not full; `fault lose any` removes one.
 * A clause a spec does not have is budget 0 here (its counter stays 0).
 */
#ifndef B_DUP
#define B_DUP 0
#endif
#ifndef B_LOSE
#define B_LOSE 0
#endif
#ifndef TOTAL
#define TOTAL (B_DUP + B_LOSE)
#endif

#define CAP 3
#define S0 0
#define S1 1

byte sender = S0;
byte bag_a; byte bag_b;
byte f_dup; byte f_lose; byte f_total;

/* two_as: pending(A) <= 2 */
#define INV (bag_a <= 2)

#define EN_SEND   (sender == S0 && bag_a + bag_b + 2 <= CAP)
#define EN_A      (bag_a > 0)
#define EN_B      (bag_b > 0)
#define ENABLED   (EN_SEND || EN_A || EN_B)
#define ALL_FINAL (sender == S1)

active proctype Sender() {
end: do
  /* step Send in S0 { send A to Receiver; send B to Receiver; goto S1 } */
  :: d_step { EN_SEND -> bag_a++; bag_b++; sender = S1 }
  od
}

active proctype Receiver() {
end: do
  /* on A { skip } */
  :: d_step { EN_A -> bag_a-- }
  /* on B { skip } */
  :: d_step { EN_B -> bag_b-- }
  od
}

#define DUP_OK  (f_total < TOTAL && f_dup < B_DUP && bag_a + bag_b < CAP)
#define LOSE_OK (f_total < TOTAL && f_lose < B_LOSE)

active proctype Faults() {
end: do
  :: d_step { DUP_OK && bag_a > 0 -> f_total++; f_dup++; bag_a++ }
  :: d_step { DUP_OK && bag_b > 0 -> f_total++; f_dup++; bag_b++ }
  :: d_step { LOSE_OK && bag_a > 0 -> f_total++; f_lose++; bag_a-- }
  :: d_step { LOSE_OK && bag_b > 0 -> f_total++; f_lose++; bag_b-- }
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
