/*
 * SPIN twin of tests/faults/crash_restart.model, for crash_restart_N.spec (-DB_CW=N; deadlock
 * on: -DDEADLOCK).
 *
 * Shape as in request_reply.pml: one active proctype per actor instance, a Faults injector, a
 * Monitor whose options assert false only in a violating state; one d_step per transition.
 *
 * Worker control: Booting 0, Running 1, Recovering 2, then protocheck's two values past the
 * declared states: DOWN 3 (crashed for good, unused here: the clause restarts) and PEND 4
 * (crashed, a restart pending). The crash (`fault crash Worker restart`): control PEND, the
 * volatile `work` back to 0, the durable `epoch` kept, and a notice to the supervisor (which
 * is always up here). The restart is the Worker's own transition, not a fault: from PEND to the
 * `restart` state Recovering, then `on restart` (epoch + 1) in the same d_step.
 * The supervisor's pending notice is `notice` (protocheck's hidden variable crash:Worker, one
 * bit per Worker instance); a second crash before it is handled leaves it set (merged).
 */
#ifndef B_CW
#define B_CW 0
#endif
#ifndef TOTAL
#define TOTAL B_CW
#endif

#define Booting 0
#define Running 1
#define Recovering 2
#define W_DOWN 3
#define W_PEND 4

byte worker = Booting;
byte epoch;   /* durable */
byte work;
byte seen;    /* Supervisor (always Watching) */
bit notice;
byte f_cw; byte f_total;

/* fresh_after_crash: down(Worker) implies Worker.work == 0;
   booted_once: Worker at Booting implies Worker.epoch == 0; told: Supervisor.seen <= 1 */
#define INV ((worker < W_DOWN || work == 0) && (worker != Booting || epoch == 0) && seen <= 1)

#define EN_BOOT    (worker == Booting)
#define EN_WORK    (worker == Running && work == 0)
#define EN_RECOVER (worker == Recovering)
#define EN_RESTART (worker == W_PEND)
#define EN_NOTICE  (notice)
#define ENABLED    (EN_BOOT || EN_WORK || EN_RECOVER || EN_RESTART || EN_NOTICE)
#define ALL_FINAL  (worker == Running || worker >= W_DOWN)

active proctype Worker() {
end: do
  /* step Boot in Booting { goto Running } */
  :: d_step { EN_BOOT -> worker = Running }
  /* step Work in Running when work == 0 { work = 1 } */
  :: d_step { EN_WORK -> work = 1 }
  /* step Recover in Recovering { goto Running } */
  :: d_step { EN_RECOVER -> worker = Running }
  /* the restart: goto Recovering (the restart state); on restart { epoch = epoch + 1 } */
  :: d_step { EN_RESTART -> worker = Recovering; epoch = epoch + 1 }
  od
}

active proctype Supervisor() {
end: do
  /* on crash of Worker { seen = seen + 1 } */
  :: d_step { EN_NOTICE -> notice = 0; seen = seen + 1 }
  od
}

active proctype Faults() {
end: do
  /* fault crash Worker restart */
  :: d_step { f_total < TOTAL && f_cw < B_CW && worker < W_DOWN ->
       f_total++; f_cw++;
       worker = W_PEND;
       work = 0;
       notice = 1 }
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
