/*
 * Channel slots as plain variables, for the SPIN twins of tests/faults/*.model
 * (#include "fifo.h"; tests/test_spin_faults.py runs them).
 *
 * protocheck's FIFO slot is a tuple of messages; here it is an array q[CAP] and a length n:
 * q[0] is the head, q[0 .. n-1] the messages in order, every q[i] with i >= n is 0. Messages
 * are numbered from 1 (0 is "no message"). The representation is canonical (one array per
 * tuple, the length is a function of the contents), so the twin has exactly the model's states.
 * Unlike a Promela chan it can lose a message from any position, put a copy right behind one,
 * and swap two neighbours, as the fault clauses do (checker/faultcode.py).
 *
 * Every macro is used inside a d_step. (They are cpp macros, not inlines: an inline cannot
 * take a whole array as its argument.) `tmp` is scratch: each macro leaves it 0, so it is the
 * same in every stored state.
 */

byte tmp;

/* send m: append (the caller's guard says n < CAP) */
#define fifo_put(q, n, m) \
  q[n] = m; \
  n++

/* remove q[p] (0 <= p < n), closing the gap: p = 0 is a receive */
#define fifo_del(q, n, p) \
  tmp = p; \
  do \
  :: tmp + 1 < n -> q[tmp] = q[tmp + 1]; tmp++ \
  :: else -> break \
  od; \
  n--; \
  q[n] = 0; \
  tmp = 0

/* duplicate q[p] (0 <= p < n < CAP): a copy right behind it */
#define fifo_dup(q, n, p) \
  tmp = n; \
  do \
  :: tmp > p + 1 -> q[tmp] = q[tmp - 1]; tmp-- \
  :: else -> break \
  od; \
  q[p + 1] = q[p]; \
  n++; \
  tmp = 0

/* swap q[p] and q[p + 1] (p + 1 < n) */
#define fifo_swap(q, n, p) \
  tmp = q[p]; \
  q[p] = q[p + 1]; \
  q[p + 1] = tmp; \
  tmp = 0

/* drop every message (a crash of the receiver, the channel not durable) */
#define fifo_clear(q, n) \
  do \
  :: n > 0 -> n--; q[n] = 0 \
  :: else -> break \
  od
