"""Every change to volunteering: profile.py (sign-up, profile, age and guardian consent,
source codes) and placement.py (organisations, roles, matching, referrals, check-ins)."""
