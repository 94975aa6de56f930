/*
 * SPIN twin of tests/liveness/request_reply.model, for tests/liveness/request_reply.spec
 * (no fairness line: fairness weak, i.e. weak fairness per (instance, handler/step)):
 * pan -a -f. (tests/test_spin_liveness.py also checks `fairness none`: pan -a, no -f.)
 *
 * Shape: "split twin": one process per (instance, handler/step), started by init. Each loops
 * over d_steps whose guard is the transition's enabledness (EN_*), so a process is enabled
 * exactly when its transition is, and SPIN's -f (weak fairness per process) is weak fairness
 * per (instance, handler/step). init terminates after starting them; a terminated process
 * has nothing enabled, so -f asks nothing of it.
 *
 * Channels: one FIFO per (sender instance, receiver instance) pair, capacity 4 (`checker
 * parse` shows the model's default): c2s[i] is Client[i] -> Server, s2c[i] Server -> Client[i].
 * A send to a full channel disables the transition: EN_* carries nfull() for every send.
 *
 * Mapping:
 *   Client[i]: step Send in Idle { send Req to Server; goto Waiting }   -> Send(i)
 *   Client[i]: on Rep in Waiting { goto Done }                           -> OnRep(i)
 *   Server:    on Req in Up { ... }                                      -> ServerOnReq
 *     One handler, one fairness group for all senders, so one process with one option per
 *     sender channel (enabled when Req is at the head of that channel). From Client[0] it
 *     replies. From Client[1] the body is `choose { send Rep to sender } or { skip }`: each
 *     branch is its own d_step option of the same process (a d_step resolves an `if`
 *     deterministically, so the choice must be made between options); the send branch needs
 *     room in s2c[1], the skip branch does not. (The channels never fill in this model: each
 *     client sends one Req, the server at most one Rep per client.)
 * Up and Done are final; Server is in Up forever, so `in Up` is always true.
 */

mtype = { Req, Rep };

#define Idle    0
#define Waiting 1
#define Done    2

byte client[2];   /* Idle */
chan c2s[2] = [4] of { mtype };
chan s2c[2] = [4] of { mtype };

#define EN_Send(i)  (client[i] == Idle && nfull(c2s[i]))
#define EN_OnRep(i) (client[i] == Waiting && s2c[i]?[Rep])
#define EN_OnReq_from(i) (c2s[i]?[Req])

proctype Send(byte i) {
end: do
  :: d_step { EN_Send(i) -> c2s[i]!Req; client[i] = Waiting }
  od
}

proctype OnRep(byte i) {
end: do
  :: d_step { EN_OnRep(i) -> s2c[i]?Rep; client[i] = Done }
  od
}

proctype ServerOnReq() {
end: do
  /* from Client[0]: send Rep to sender */
  :: d_step { EN_OnReq_from(0) && nfull(s2c[0]) -> c2s[0]?Req; s2c[0]!Rep }
  /* from Client[1], choose branch 1: send Rep to sender */
  :: d_step { EN_OnReq_from(1) && nfull(s2c[1]) -> c2s[1]?Req; s2c[1]!Rep }
  /* from Client[1], choose branch 2: skip */
  :: d_step { EN_OnReq_from(1) -> c2s[1]?Req }
  od
}

init {
  atomic { run Send(0); run Send(1); run OnRep(0); run OnRep(1); run ServerOnReq() }
}

/* answered: forall c in Client: c at Waiting leads_to c at Done (one property per instance) */
ltl answered_0 { [] ((client[0] == Waiting) -> <> (client[0] == Done)) }
ltl answered_1 { [] ((client[1] == Waiting) -> <> (client[1] == Done)) }
/* (Client[0] at Done and Client[0] at Idle) leads_to Client[1] at Done: the premise is
   contradictory, so it holds; kept to cross-check protocheck on a vacuous property. */
ltl never_both_done {
  [] ((client[0] == Done && client[0] == Idle) -> <> (client[1] == Done))
}
