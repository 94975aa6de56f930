/*
 * SPIN twin of models/azure_linux_specialization.model, for the specs
 *   specs/azure_linux_specialization_buggy.spec  (const FIXED = false)  compile plain
 *   specs/azure_linux_specialization_fixed.spec  (const FIXED = true)   compile -DFIXED=1
 * property restart_serves_site, under fairness weak (the specs' default: pan -a -f) and
 * fairness none (a copy of the spec with `fairness none`: pan -a, no -f).
 *
 * Shape: "split twin": one active proctype per (instance, handler/step), each looping over a
 * d_step whose guard is the transition's enabledness (EN_*), so SPIN's -f (weak fairness per
 * process) is weak fairness per (instance, handler/step). Every actor has one instance.
 *
 * Channels: one FIFO per (sender, receiver) pair that the model uses, capacity 4 (the
 * model's default, see `checker parse`); each carries one message type. A send to a full
 * channel disables the transition, so EN_* carries nfull() for every send in the body.
 *
 * Mapping (control states: plat, lim, lw, lcihs, jh):
 *   Platform: step AssignInstance in Running            -> AssignInstance
 *   Platform: on HostRestartRequested (any state)       -> PlatformOnHostRestartRequested
 *   LinuxInstanceManager: on AssignmentRequest in Placeholder   -> LimOnAssignmentRequest
 *   LinuxInstanceManager: step ApplyAssignmentInBackground in AssigningInBackground
 *                                                       -> ApplyAssignmentInBackground
 *   the spec's fault crash LanguageWorker at most 1           -> CrashMay (a fault injector)
 *   LinuxContainerInitializationHostedService: on RestartHost in Idle -> LcihsOnRestartHost
 *   JobHost: on crash of LanguageWorker in PlaceholderRunning -> JobHostOnWorkerProcessExited
 *   JobHost: on StartJobHost in Restarting                  -> JobHostOnStartJobHost
 * `if FIXED` / `if placeholder_mode` / `if specialization_begun` are deterministic, so they
 * stay `if :: c -> .. :: else -> .. fi` inside the d_step.
 *
 * The crash is a fault (docs/faults.md): CrashMay injects it at any time or opts out for good,
 * so -f never forces it, and a run may stop where only the crash could still happen. The
 * crashed worker (protocheck's `down`) is W_Exited; JobHost's notice of the crash (the
 * hidden set `crash:LanguageWorker`) is the one-slot channel lw_jh holding
 * WorkerProcessExited, a notice that waits like a message; the fault counter is 1 exactly
 * when lw is W_Exited. The crash fires at most once (budget 1), so the opt-out loses no run;
 * it adds only stuttering, invisible to LTL without X.
 *
 * -DSTATES (tests/test_spin_liveness.py's state-count check, never for liveness) drops the
 * opt-out, which only adds a copy of each state with CrashMay gone; the twin's reachable
 * states are then exactly the model's.
 */

#ifndef FIXED
#define FIXED 0
#endif

mtype = { AssignmentRequest, WorkerProcessExited, HostRestartRequested, RestartHost,
          StartJobHost };

/* enum FunctionSet */
#define NoFunctions     0
#define WarmupFunctions 1
#define SiteFunctions   2

/* shared */
bool placeholder_mode = true;
bool specialization_begun = false;
bool site_env_assigned = false;

/* Platform */
#define P_Running  0
#define P_Assigned 1
byte plat = P_Running;
/* LinuxInstanceManager */
#define L_Placeholder           0
#define L_AssigningInBackground 1
#define L_Specialized           2
byte lim = L_Placeholder;
/* LanguageWorker */
#define W_Starting 0
#define W_Exited   1
byte lw = W_Starting;
/* LinuxContainerInitializationHostedService */
#define C_Idle 0
#define C_Done 1
byte lcihs = C_Idle;
bool applied_site_context = false;
/* JobHost */
#define J_PlaceholderRunning 0
#define J_Restarting         1
#define J_Running            2
byte jh = J_PlaceholderRunning;
byte indexed = WarmupFunctions;
bool started_after_specialization = false;

chan plat_lim   = [4] of { mtype };   /* Platform -> LinuxInstanceManager */
chan plat_lcihs = [4] of { mtype };   /* Platform -> LinuxContainerInitializationHostedService */
chan lw_jh      = [4] of { mtype };   /* LanguageWorker -> JobHost */
chan lcihs_jh   = [4] of { mtype };   /* LinuxContainerInitializationHostedService -> JobHost */
chan jh_plat    = [4] of { mtype };   /* JobHost -> Platform */

#define EN_AssignInstance (plat == P_Running && nfull(plat_lim))
#define EN_PlatformOnHostRestartRequested (jh_plat?[HostRestartRequested] && nfull(plat_lcihs))
#define EN_LimOnAssignmentRequest (lim == L_Placeholder && plat_lim?[AssignmentRequest])
#define EN_ApplyAssignmentInBackground (lim == L_AssigningInBackground)
#define EN_CrashAtStartup (lw == W_Starting && nfull(lw_jh))
#define EN_LcihsOnRestartHost (lcihs == C_Idle && plat_lcihs?[RestartHost] && nfull(lcihs_jh))
#define EN_JobHostOnWorkerProcessExited \
  (jh == J_PlaceholderRunning && lw_jh?[WorkerProcessExited] && nfull(jh_plat))
#define EN_JobHostOnStartJobHost (jh == J_Restarting && lcihs_jh?[StartJobHost])
active proctype AssignInstance() {
end: do
  :: d_step { EN_AssignInstance -> plat_lim!AssignmentRequest; plat = P_Assigned }
  od
}

active proctype PlatformOnHostRestartRequested() {
end: do
  :: d_step { EN_PlatformOnHostRestartRequested ->
       jh_plat?HostRestartRequested; plat_lcihs!RestartHost }
  od
}

active proctype LimOnAssignmentRequest() {
end: do
  :: d_step { EN_LimOnAssignmentRequest ->
       plat_lim?AssignmentRequest;
       specialization_begun = true;
       if
       :: FIXED -> site_env_assigned = true; placeholder_mode = false; lim = L_Specialized
       :: else -> lim = L_AssigningInBackground
       fi }
  od
}

active proctype ApplyAssignmentInBackground() {
end: do
  :: d_step { EN_ApplyAssignmentInBackground ->
       site_env_assigned = true; placeholder_mode = false; lim = L_Specialized }
  od
}

active proctype CrashMay() {
end: do
  :: d_step { EN_CrashAtStartup -> lw_jh!WorkerProcessExited; lw = W_Exited }
#ifndef STATES
  :: true -> break   /* opt out: CrashAtStartup is unfair */
#endif
  od
}

active proctype LcihsOnRestartHost() {
end: do
  :: d_step { EN_LcihsOnRestartHost ->
       plat_lcihs?RestartHost;
       if
       :: specialization_begun -> applied_site_context = true
       :: else -> skip
       fi;
       lcihs_jh!StartJobHost;
       lcihs = C_Done }
  od
}

active proctype JobHostOnWorkerProcessExited() {
end: do
  :: d_step { EN_JobHostOnWorkerProcessExited ->
       lw_jh?WorkerProcessExited; jh_plat!HostRestartRequested; jh = J_Restarting }
  od
}

active proctype JobHostOnStartJobHost() {
end: do
  :: d_step { EN_JobHostOnStartJobHost ->
       lcihs_jh?StartJobHost;
       if
       :: placeholder_mode -> indexed = WarmupFunctions
       :: else -> indexed = SiteFunctions
       fi;
       started_after_specialization = specialization_begun;
       jh = J_Running }
  od
}

ltl restart_serves_site {
  [] ((jh == J_Restarting && specialization_begun) ->
      <> (jh == J_Running && indexed == SiteFunctions))
}
