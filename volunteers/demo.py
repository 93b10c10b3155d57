"""Demo volunteering: places and organisations with roles, a few hundred volunteers,
then referrals in every state. Idempotent, run by `manage.py load_demo`."""


def load(stdout=None) -> None:
    from volunteers import demo_placement, demo_volunteers

    demo_placement.load_places(stdout)
    demo_volunteers.load(stdout)
    demo_placement.load_referrals(stdout)
