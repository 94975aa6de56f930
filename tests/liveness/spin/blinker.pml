/*
 * SPIN twin of tests/liveness/blinker.model, for the specs
 *   tests/liveness/blinker_weak.spec    (fairness weak)   ltl weak_*   with pan -a -f
 *   tests/liveness/blinker_strong.spec  (fairness strong) ltl strong_* with pan -a (no -f)
 * (tests/test_spin_liveness.py also checks fairness none: ltl weak_* with pan -a, no -f.)
 *
 * Shape: "split twin": one proctype per (instance, step). There is one instance (Light) and
 * three steps, so three processes. Each process loops over a single d_step whose guard is the
 * step's enabledness (EN_*) and whose body is the step's effect, so a DSL transition is one
 * SPIN transition, and a process is enabled exactly when its step is. SPIN's -f (weak
 * fairness per process) is then weak fairness per (instance, step), protocheck's `fairness
 * weak`.
 *
 * Strong fairness: SPIN has none built in, so the strong_* properties carry the premise
 * STRONG = AND over steps h of ([]<> EN_h -> []<> (last == h)), where the ghost `last` is set
 * to h inside h's d_step: `last == h` holds infinitely often iff h fires infinitely often (or
 * h was the last step before a state with nothing enabled, where every EN_h is false, so the
 * conjunct holds either way). The property checked is STRONG -> phi, with pan -a and no -f:
 * strong fairness per step implies weak fairness per step (and per process), so -f would
 * add nothing.
 *
 * Mapping (Light's control state is `st`):
 *   step TurnOn  in Off { goto On }      -> proctype TurnOn
 *   step TurnOff in On  { goto Off }     -> proctype TurnOff
 *   step Break   in On  { goto Broken }  -> proctype Break
 * Broken is final: nothing is enabled there, so SPIN stutters forever (runs are maximal;
 * never compile with -DNOSTUTTER).
 */

#define Off    0
#define On     1
#define Broken 2

#define T_NONE    0
#define T_TURNON  1
#define T_TURNOFF 2
#define T_BREAK   3

byte st = Off;
byte last = T_NONE;   /* ghost: the step that fired last (strong fairness premise only) */

#define EN_TurnOn  (st == Off)
#define EN_TurnOff (st == On)
#define EN_Break   (st == On)

active proctype TurnOn() {
end: do
  :: d_step { EN_TurnOn -> st = On; last = T_TURNON }
  od
}

active proctype TurnOff() {
end: do
  :: d_step { EN_TurnOff -> st = Off; last = T_TURNOFF }
  od
}

active proctype Break() {
end: do
  :: d_step { EN_Break -> st = Broken; last = T_BREAK }
  od
}

#define STRONG ( \
  ([]<> EN_TurnOn  -> []<> (last == T_TURNON)) && \
  ([]<> EN_TurnOff -> []<> (last == T_TURNOFF)) && \
  ([]<> EN_Break   -> []<> (last == T_BREAK)) )

/* The spec's properties, as the LTL protocheck's forms stand for (checker.temporal). */
#define P_keeps_going_off      ([]<> (st == Off))
#define P_ends_broken          (<>[] (st == Broken))
#define P_on_leads_to_off      ([] ((st == On) -> <> (st == Off || st == Broken)))
#define P_off_or_broken_recurs ([]<> (st == Off || st == Broken))

ltl weak_keeps_going_off      { P_keeps_going_off }
ltl weak_ends_broken          { P_ends_broken }
ltl weak_on_leads_to_off      { P_on_leads_to_off }
ltl weak_off_or_broken_recurs { P_off_or_broken_recurs }

ltl strong_keeps_going_off      { STRONG -> P_keeps_going_off }
ltl strong_ends_broken          { STRONG -> P_ends_broken }
ltl strong_on_leads_to_off      { STRONG -> P_on_leads_to_off }
ltl strong_off_or_broken_recurs { STRONG -> P_off_or_broken_recurs }
