/*
 * SPIN twin of tests/liveness/spinner.model, for the specs
 *   tests/liveness/spinner_weak.spec  fairness weak (the default)  pan -a -f
 *   tests/liveness/spinner_none.spec  fairness none                pan -a (no -f)
 *
 * Shape: "split twin": one proctype per (instance, step), each looping over one d_step whose
 * guard is the step's enabledness (EN_*) and whose body is its effect. SPIN's -f (weak
 * fairness per process) is then weak fairness per (instance, step), protocheck's default.
 *
 * Mapping:
 *   Finisher: step Finish in Waiting { goto Done }         -> proctype Finish
 *   Gambler:  step Win in Waiting unfair { goto Won }      -> proctypes WinMay and WinMust
 *   Spinner:  step Spin in Looping { turns = 1 - turns }   -> proctype Spin
 *
 * The unfair step Win is never forced by fairness, but runs are still maximal: in a state
 * where Win is the only enabled transition the run must take it (protocheck's fair-cycle
 * analysis only lets a state with nothing enabled stutter). Two processes say exactly that:
 *   - WinMay can fire Win whenever it is enabled, and can instead opt out for good
 *     (`:: true -> break`, a step that changes no model variable). The opt-out is always
 *     executable, so under -f WinMay is forced to move, but moving out is allowed: -f never
 *     forces Win. A run in which Win fires at any time is a run of WinMay.
 *   - WinMust fires Win only when no other transition of the model is enabled. It is then
 *     the only move left (once WinMay is out), and SPIN, like protocheck, does not stutter in
 *     a state where something is enabled. Here Spin is always enabled, so WinMust never is.
 * Win fires at most once (Gambler never returns to Waiting), so WinMay opting out after its
 * one chance loses no run. The opt-out steps only add stuttering, which no LTL formula without
 * X (all of ours) can see.
 *
 * -DSTATES (tests/test_spin_liveness.py's state-count check, never for liveness) drops the
 * opt-out, which only adds a copy of each state with WinMay gone; the twin's reachable states
 * are then exactly the model's.
 */

#define Waiting 0
#define Done    1
#define Won     1
#define Looping 0

byte finisher = Waiting;
byte gambler = Waiting;
byte spinner = Looping;
byte turns = 0;

#define EN_Finish (finisher == Waiting)
#define EN_Win    (gambler == Waiting)
#define EN_Spin   (spinner == Looping)
#define EN_OTHERS_THAN_Win (EN_Finish || EN_Spin)

active proctype Finish() {
end: do
  :: d_step { EN_Finish -> finisher = Done }
  od
}

active proctype WinMay() {
end: do
  :: d_step { EN_Win -> gambler = Won }
#ifndef STATES
  :: true -> break   /* opt out: Win is unfair */
#endif
  od
}

active proctype WinMust() {
end: do
  :: d_step { EN_Win && !EN_OTHERS_THAN_Win -> gambler = Won }
  od
}

active proctype Spin() {
end: do
  :: d_step { EN_Spin -> turns = 1 - turns }
  od
}

ltl finisher_finishes { <> (finisher == Done) }
ltl gambler_wins      { <> (gambler == Won) }
