/*
 * SPIN twin of models/forwarding_task.model, for the specs
 *   specs/forwarding_task_buggy_liveness.spec  (N = 3, FIXED = false)  compile -DN=3 -DFIXED=0
 *   specs/forwarding_task_fixed_liveness.spec  (N = 3, FIXED = true)   compile -DN=3 -DFIXED=1
 * and copies of them at N = 1 and N = 2 (-DN=1, -DN=2; tests/test_spin_liveness.py writes
 * them), property every_request_answered (forall c in HttpClient: c at Waiting leads_to c at
 * Done, one property per instance: ltl answered_0, answered_1, answered_2), under the specs'
 * default fairness weak (pan -a -f) and under fairness none (pan -a, no -f).
 * N may be 1, 2 or 3 (the Worker's options and the ltl blocks are written out up to 3).
 *
 * Shape: "split twin": one process per (instance, handler/step), started by init; each loops
 * over d_steps guarded by the transition's enabledness (EN_*), so SPIN's -f (weak fairness
 * per process) is weak fairness per (instance, handler/step). init terminates after starting
 * them; a terminated process has nothing enabled, so -f asks nothing of it.
 *
 * Channels: one FIFO per (sender instance, receiver instance) pair the model uses, capacity 4
 * (the model's default, see `checker parse`): c2i[i] HttpClient[i] -> Invocation[i], i2c[i]
 * Invocation[i] -> HttpClient[i], i2w[i] Invocation[i] -> Worker, w2i[i] Worker ->
 * Invocation[i]. (The model also has pairs like HttpClient[0] -> Invocation[1] that nothing
 * sends on; they stay empty, so they are left out.) A send to a full channel disables the
 * transition: EN_* carries nfull() for every send in the body.
 *
 * Mapping (process per transition, parameter i = index(self)):
 *   HttpClient[i]: step SendRequest in Idle                    -> SendRequest(i)
 *   HttpClient[i]: on HttpResponse in Waiting { ok = msg.ok }   -> OnHttpResponse(i)
 *   Invocation[i]: on HttpRequest in Idle                       -> OnHttpRequest(i)
 *   Invocation[i]: step DispatchInvocation in Received when not FIXED
 *                                                               -> DispatchInvocation(i)
 *   Invocation[i]: step StartForwarding in Dispatched when not FIXED -> StartForwarding(i)
 *   Invocation[i]: step StartForwardingFirst in Received when FIXED
 *                                                               -> StartForwardingFirst(i)
 *   Invocation[i]: step DispatchAfterForwarding in Forwarding when FIXED
 *                                                               -> DispatchAfterForwarding(i)
 *   Invocation[i]: on InvocationResponse in Dispatched, AwaitingResult
 *                                                               -> OnInvocationResponse(i)
 *   Invocation[i]: step EnsureSuccessfulForwarding in EnsuringForwarding (deterministic if)
 *                                                               -> EnsureSuccessfulForwarding(i)
 *   Worker: on InvocationRequest (from any Invocation[k]) { send InvocationResponse to sender }
 *     one handler, one fairness group: one process WorkerOnInvocationRequest with one option
 *     per sender channel i2w[k].
 * Completed, Failed, Done and Serving are final; when every request is answered nothing is
 * enabled and SPIN stutters.
 */

#ifndef N
#define N 2
#endif
#ifndef FIXED
#define FIXED 0
#endif

mtype = { HttpRequest, InvocationRequest, InvocationResponse, HttpResponse };

/* HttpClient */
#define Idle    0
#define Waiting 1
#define Done    2
byte client[N];       /* Idle */
bool client_ok[N];

/* Invocation */
#define I_Idle               0
#define Received             1
#define Dispatched           2
#define Forwarding           3
#define AwaitingResult       4
#define EnsuringForwarding   5
#define Completed            6
#define Failed               7
byte inv[N];          /* I_Idle */
bool forwarding_task_set[N];

chan c2i[N] = [4] of { mtype };
chan i2c[N] = [4] of { mtype, bool };
chan i2w[N] = [4] of { mtype };
chan w2i[N] = [4] of { mtype };

#define EN_SendRequest(i)    (client[i] == Idle && nfull(c2i[i]))
#define EN_OnHttpResponse(i) (client[i] == Waiting && i2c[i]?[HttpResponse, _])
#define EN_OnHttpRequest(i)  (inv[i] == I_Idle && c2i[i]?[HttpRequest])
#define EN_DispatchInvocation(i)  (inv[i] == Received && !FIXED && nfull(i2w[i]))
#define EN_StartForwarding(i)     (inv[i] == Dispatched && !FIXED)
#define EN_StartForwardingFirst(i)    (inv[i] == Received && FIXED)
#define EN_DispatchAfterForwarding(i) (inv[i] == Forwarding && FIXED && nfull(i2w[i]))
#define EN_OnInvocationResponse(i) \
  ((inv[i] == Dispatched || inv[i] == AwaitingResult) && w2i[i]?[InvocationResponse])
#define EN_EnsureSuccessfulForwarding(i) (inv[i] == EnsuringForwarding && nfull(i2c[i]))
#define EN_WorkerFrom(k) (i2w[k]?[InvocationRequest] && nfull(w2i[k]))

proctype SendRequest(byte i) {
end: do
  :: d_step { EN_SendRequest(i) -> c2i[i]!HttpRequest; client[i] = Waiting }
  od
}

proctype OnHttpResponse(byte i) {
end: do
  :: d_step { EN_OnHttpResponse(i) -> i2c[i]?HttpResponse, client_ok[i]; client[i] = Done }
  od
}

proctype OnHttpRequest(byte i) {
end: do
  :: d_step { EN_OnHttpRequest(i) -> c2i[i]?HttpRequest; inv[i] = Received }
  od
}

proctype DispatchInvocation(byte i) {
end: do
  :: d_step { EN_DispatchInvocation(i) -> i2w[i]!InvocationRequest; inv[i] = Dispatched }
  od
}

proctype StartForwarding(byte i) {
end: do
  :: d_step { EN_StartForwarding(i) -> forwarding_task_set[i] = true; inv[i] = AwaitingResult }
  od
}

proctype StartForwardingFirst(byte i) {
end: do
  :: d_step { EN_StartForwardingFirst(i) -> forwarding_task_set[i] = true; inv[i] = Forwarding }
  od
}

proctype DispatchAfterForwarding(byte i) {
end: do
  :: d_step { EN_DispatchAfterForwarding(i) ->
       i2w[i]!InvocationRequest; inv[i] = AwaitingResult }
  od
}

proctype OnInvocationResponse(byte i) {
end: do
  :: d_step { EN_OnInvocationResponse(i) ->
       w2i[i]?InvocationResponse; inv[i] = EnsuringForwarding }
  od
}

proctype EnsureSuccessfulForwarding(byte i) {
end: do
  :: d_step { EN_EnsureSuccessfulForwarding(i) ->
       if
       :: forwarding_task_set[i] -> i2c[i]!HttpResponse, true; inv[i] = Completed
       :: else -> i2c[i]!HttpResponse, false; inv[i] = Failed
       fi }
  od
}

proctype WorkerOnInvocationRequest() {
end: do
  :: d_step { EN_WorkerFrom(0) -> i2w[0]?InvocationRequest; w2i[0]!InvocationResponse }
#if N > 1
  :: d_step { EN_WorkerFrom(1) -> i2w[1]?InvocationRequest; w2i[1]!InvocationResponse }
#endif
#if N > 2
  :: d_step { EN_WorkerFrom(2) -> i2w[2]?InvocationRequest; w2i[2]!InvocationResponse }
#endif
  od
}

init {
  byte i = 0;
  atomic {
    do
    :: i < N ->
       run SendRequest(i); run OnHttpResponse(i);
       run OnHttpRequest(i); run DispatchInvocation(i); run StartForwarding(i);
       run StartForwardingFirst(i); run DispatchAfterForwarding(i);
       run OnInvocationResponse(i); run EnsureSuccessfulForwarding(i);
       i++
    :: else -> break
    od;
    run WorkerOnInvocationRequest();
    i = 0
  }
}

ltl answered_0 { [] ((client[0] == Waiting) -> <> (client[0] == Done)) }
#if N > 1
ltl answered_1 { [] ((client[1] == Waiting) -> <> (client[1] == Done)) }
#endif
#if N > 2
ltl answered_2 { [] ((client[2] == Waiting) -> <> (client[2] == Done)) }
#endif
