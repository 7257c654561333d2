def test_dashboard_for_artist(client, artist):
    client.force_login(artist)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Wave 1" in response.content
