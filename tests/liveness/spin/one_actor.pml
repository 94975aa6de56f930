/*
 * SPIN twin of tests/liveness/one_actor.model, in two shapes selected by a macro:
 *   plain        split twin, for tests/liveness/one_actor_step.spec
 *                (fairness weak = weak fairness per (instance, step)), pan -a -f
 *   -DPER_ACTOR  one proctype per actor instance, for tests/liveness/one_actor_per_actor.spec
 *                (fairness weak per actor), pan -a -f
 * (tests/test_spin_liveness.py also checks `fairness none`: plain, pan -a, no -f.)
 *
 * Mapping (Ticker's control state is `st`, its variable `ticks`):
 *   step Tick in Running { ticks = 1 - ticks }   -> d_step { EN_Tick -> ticks = 1 - ticks }
 *   step Stop in Running { goto Stopped }        -> d_step { EN_Stop -> st = Stopped }
 * Split: each d_step is the only option of its own process, so SPIN's -f (weak fairness per
 * process) forces Stop, which is enabled all along in Running. Per actor: both d_steps are
 * options of the one Ticker process, and -f is satisfied by Tick firing forever (the instance
 * acts), so Stop is never forced. Stopped is final: nothing is enabled there; SPIN stutters.
 */

#define Running 0
#define Stopped 1

byte st = Running;
byte ticks = 0;

#define EN_Tick (st == Running)
#define EN_Stop (st == Running)

#ifdef PER_ACTOR
active proctype Ticker() {
end: do
  :: d_step { EN_Tick -> ticks = 1 - ticks }
  :: d_step { EN_Stop -> st = Stopped }
  od
}
#else
active proctype Tick() {
end: do
  :: d_step { EN_Tick -> ticks = 1 - ticks }
  od
}

active proctype Stop() {
end: do
  :: d_step { EN_Stop -> st = Stopped }
  od
}
#endif

ltl stops { <> (st == Stopped) }
