"""The till: tills and their tablets, baskets, tenders and checkout, refunds, the cash drawer with
its X and Z reports, and each till's hash-chained sales ledger.
"""
