"""The graph debugger tab: expression bar, graph canvas, inputs, inspector, and their state."""
