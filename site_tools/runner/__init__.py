"""Running reproductions: what to run, how to run it safely, and where the results go."""
