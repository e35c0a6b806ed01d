from youhu.tickets.models import Status, TicketEvent


def test_ticket_walks_from_new_to_closed(district):
    ticket = district.ticket_in(Status.CLOSED)
    assert ticket.status == Status.CLOSED
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert actions == ["create", "register", "dispatch", "accept", "reply", "review"]
    assert ticket.number.count("-") == 1
