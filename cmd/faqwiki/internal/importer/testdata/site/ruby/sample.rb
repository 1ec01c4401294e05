class Sample
  def call
    :ok
  end
end
# line 6
