"""Symbolic time with Z3: parametric zones over actor clocks and timing params, the timed
exploration engine, witnesses and parameter synthesis. See docs/time.md."""
