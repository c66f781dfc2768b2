"""Settlement: attendance, price rules, cost outcomes and the cost overview."""
