/*
 * SPIN twin of tests/liveness/blinker.model, for the specs
 *   tests/liveness/blinker_weak.spec    fairness weak    compile plain,      pan -a -f
 *   tests/liveness/blinker_strong.spec  fairness strong  compile -DSTRONG,   pan -a (no -f)
 * (tests/test_spin_liveness.py also checks `fairness none`: compile plain, pan -a, no -f.)
 *
 * Shape: "split twin": one proctype per (instance, step). There is one instance (Light) and
 * three steps, so three processes. Each process loops over a single d_step whose guard is the
 * step's enabledness (EN_*) and whose body is the step's effect, so one DSL transition is one
 * SPIN transition and a process is enabled exactly when its step is. SPIN's -f (weak fairness
 * per process) is then weak fairness per (instance, step): protocheck's `fairness weak`.
 *
 * Mapping (Light's control state is `st`):
 *   step TurnOn  in Off { goto On }      -> proctype TurnOn   (transition id 0)
 *   step TurnOff in On  { goto Off }     -> proctype TurnOff  (transition id 1)
 *   step Break   in On  { goto Broken }  -> proctype Break    (transition id 2)
 * Broken is final: nothing is enabled there, so SPIN stutters forever (runs are maximal;
 * never compile with -DNOSTUTTER).
 *
 * Strong fairness (-DSTRONG). SPIN has none built in. The obvious encoding, the LTL premise
 *   AND over steps h of ([]<> EN_h -> []<> (last == h))   (ghost `last`: the step that fired)
 * is right but SPIN 6.5's LTL translator does not finish on it: with three steps, `spin -a`
 * ran for more than 10 minutes and 2 GB (two conjuncts take 0.04 s; three blow up). So the
 * premise is moved into the model as a ghost monitor that turns the Streett condition into
 * one Buchi condition, and the LTL stays small:
 *   - dead[h] (ghost, monotone) is a guess, made by the extra process Guess at any moment,
 *     that step h is never enabled again; SAFE = AND_h (dead[h] -> !EN_h) must hold always.
 *   - turn (ghost) walks round the steps: it moves on from h when h fires or when dead[h]
 *     (credit(), run at the end of every d_step); wrap is true after a step that completed a
 *     round. A run completes infinitely many rounds iff every h fires infinitely often or is
 *     eventually guessed dead.
 *   - strong_P = ([] SAFE && []<> (wrap || ALLDEAD)) -> P. (ALLDEAD covers a run that ends in
 *     a state with nothing enabled and every step guessed dead.)
 * A strongly fair run of the model satisfies the premise for the right guess (guess dead,
 * after their last enabling, the steps that fire finitely often: strong fairness says they
 * are enabled finitely often); a run that satisfies the premise is strongly fair (each h is
 * either dead, so never enabled again, or fires once per round). Since pan looks for ONE
 * violating run, the nondeterministic guess is exactly what is needed. Guess's own steps
 * change no model variable (P never mentions the ghosts, and SPIN's LTL here has no X), and
 * it can act only finitely often, so the model's runs are unchanged. No -f: strong fairness
 * per step implies weak fairness per step, so -f would add nothing (and would force Guess).
 */

#define Off    0
#define On     1
#define Broken 2

byte st = Off;

#define EN_TurnOn  (st == Off)
#define EN_TurnOff (st == On)
#define EN_Break   (st == On)

#ifdef STRONG
#define NT 3
bool dead[NT];
byte turn = 0;
bool wrap = false;
byte k = 0;   /* loop counter inside credit(); always 0 between steps */

inline next_turn() {
  if
  :: turn == NT - 1 -> turn = 0; wrap = true
  :: else -> turn++
  fi
}

/* Step h fired (h == NT: no step, a guess was made). */
inline credit(h) {
  wrap = false;
  if
  :: turn == h -> next_turn()
  :: else -> skip
  fi;
  k = 0;
  do
  :: k < NT && dead[turn] -> next_turn(); k++
  :: else -> break
  od;
  k = 0
}

active proctype Guess() {
  do
  :: d_step { !dead[0] -> dead[0] = true; credit(NT) }
  :: d_step { !dead[1] -> dead[1] = true; credit(NT) }
  :: d_step { !dead[2] -> dead[2] = true; credit(NT) }
  od
}

#define SAFE ((!dead[0] || !EN_TurnOn) && (!dead[1] || !EN_TurnOff) && (!dead[2] || !EN_Break))
#define ALLDEAD (dead[0] && dead[1] && dead[2])
#define FAIR(P) (([] SAFE && []<> (wrap || ALLDEAD)) -> (P))
#define CREDIT(h) credit(h)
#else
#define FAIR(P) (P)
#define CREDIT(h) skip
#endif

active proctype TurnOn() {
end: do
  :: d_step { EN_TurnOn -> st = On; CREDIT(0) }
  od
}

active proctype TurnOff() {
end: do
  :: d_step { EN_TurnOff -> st = Off; CREDIT(1) }
  od
}

active proctype Break() {
end: do
  :: d_step { EN_Break -> st = Broken; CREDIT(2) }
  od
}

/* The spec's properties, as the LTL protocheck's forms stand for (checker.temporal). */
ltl keeps_going_off      { FAIR([]<> (st == Off)) }
ltl ends_broken          { FAIR(<>[] (st == Broken)) }
ltl on_leads_to_off      { FAIR([] ((st == On) -> <> (st == Off || st == Broken))) }
ltl off_or_broken_recurs { FAIR([]<> (st == Off || st == Broken)) }
