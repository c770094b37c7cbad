"""`momento-lambda doctor`: checks over a project, its build output, its stack and Momento.

``model`` defines checks and results, ``runner`` runs them concurrently with timeouts,
``context`` loads what checks share (once, lazily), ``render`` turns results into lines,
``checks/`` holds one module per group and ``registry`` lists them in display order.
"""
