from colony.errors import Conflict, NotFound, Unprocessable


class SplitInvalid(Unprocessable):
    code = "SPLIT_INVALID"
    message = "Choose who the expense was for among the household's members."
    field = "split"


class PayerNotMember(Unprocessable):
    code = "PAYER_NOT_MEMBER"
    message = "The payer must be a member of the household."
    field = "paid_by"


class SettlementInvalid(Unprocessable):
    code = "SETTLEMENT_INVALID"
    message = "A settlement is between two members of the household, for more than zero."


class SettlementStale(Conflict):
    code = "SETTLEMENT_STALE"
    message = "The balance changed since you looked (someone settled or paid meanwhile)."


class SettlementNotFound(NotFound):
    code = "SETTLEMENT_NOT_FOUND"
    message = "No such settlement."
