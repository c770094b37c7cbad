"""`momento-lambda new`: answers and their validation, the template layout, atomic rendering.

Nothing here prints: functions return data or raise :class:`MomentoLambdaError`.
"""
