from council.selectors import council_settings, current_civic_year


def council(request):
    # civic_year is a callable: the query runs only on pages that show the Mayor.
    return {"council": council_settings(), "civic_year": current_civic_year}
